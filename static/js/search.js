// Search results for ?q= on /search/, from the site's own Pagefind index (no other host).
// Without JavaScript, or if the index cannot load, the page keeps its A to Z instead.
const app = document.getElementById("search-app");
const fallback = document.getElementById("search-fallback");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const none = document.getElementById("search-none");
const SHOWN = 10; // results shown: a patient in pain reads the first few

/** The query words, for marking them in titles. */
function words(query) {
  return query.toLowerCase().split(/\s+/).filter((w) => w.length > 1);
}

/** Append `text` to `parent`, with each query word wrapped in <mark>. */
function appendMarked(parent, text, terms) {
  const escaped = terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const pattern = escaped.length ? new RegExp(`(${escaped.join("|")})`, "gi") : null;
  const parts = pattern ? text.split(pattern) : [text];
  parts.forEach((part, i) => {
    if (i % 2 === 1) {
      const mark = document.createElement("mark");
      mark.textContent = part;
      parent.append(mark);
    } else if (part) {
      parent.append(part);
    }
  });
}

/** Pagefind's excerpt (text with <mark> around matches) as DOM nodes, never as HTML. */
function appendExcerpt(parent, excerpt) {
  const holder = document.createElement("template");
  holder.innerHTML = excerpt; // parsed inert, then copied as text and <mark> only
  holder.content.childNodes.forEach((node) => {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      parent.append(mark);
    } else {
      parent.append(node.textContent);
    }
  });
}

/** One result: a link to the page, marked, and a short excerpt. */
function item(data, terms) {
  const li = document.createElement("li");
  const link = document.createElement("a");
  link.href = data.url;
  appendMarked(link, data.meta.title || data.url, terms);
  const excerpt = document.createElement("p");
  appendExcerpt(excerpt, data.excerpt);
  li.append(link, excerpt);
  return li;
}

/** Say how many results there are, once (the status is a live region). */
function announce(count, query) {
  const found = count === 1 ? "1 result" : `${count} results`;
  status.textContent = count ? `${found} for “${query}”` : `No results for “${query}”.`;
  none.hidden = count > 0;
}

async function run() {
  const query = (new URLSearchParams(location.search).get("q") || "").trim();
  const box = document.getElementById("site-search");
  if (box) box.value = query;
  // relative to the page, not to this script
  const pagefind = await import(new URL(app.dataset.pagefind, location.href).href);
  const root = new URL(app.dataset.root, location.href).pathname;
  await pagefind.options({
    baseUrl: root,
    excerptLength: 24,
    noWorker: true, // one script less to download; the index is small
    // the patient's own words (the `keywords` field) weigh most, then the title
    ranking: { metaWeights: { keywords: 10, title: 5 } },
  });
  fallback.hidden = true; // search works: the A to Z stays one link away
  if (!query) {
    status.textContent = "Type what you are looking for in the search box.";
    return;
  }
  const search = await pagefind.search(query);
  const top = await Promise.all(search.results.slice(0, SHOWN).map((r) => r.data()));
  const terms = words(query);
  list.replaceChildren(...top.map((data) => item(data, terms)));
  list.hidden = top.length === 0;
  announce(search.results.length, query);
}

run().catch(() => {
  fallback.hidden = false;
  status.textContent = "Search could not load. Please use the A to Z below.";
});
