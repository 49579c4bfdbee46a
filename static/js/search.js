// Search results for ?q= on /search/, from the site's own Pagefind index (no other host).
// Without JavaScript, or if the index cannot load, the page keeps its A to Z instead.
const app = document.getElementById("search-app");
const fallback = document.getElementById("search-fallback");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const none = document.getElementById("search-none");
const moreRow = document.getElementById("search-more"); // hidden while all are shown
const more = moreRow.querySelector("button");
// Results shown at first, and added by each "Show more results": a patient in pain reads
// the first few, and each result shown costs a download of its excerpt (a Pagefind fragment)
const STEP = 5;

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

/** Say how many results there are and how many are shown (the status is a live region). */
function announce(count, shown, query) {
  const found = count === 1 ? "1 result" : `${count} results`;
  const part = shown < count ? ` Showing ${shown}.` : "";
  status.textContent = count ? `${found} for “${query}”.${part}` : `No results for “${query}”.`;
  none.hidden = count > 0;
}

/** Add the next results to the list (their excerpts load only now); return the first added. */
async function showMore(results, terms) {
  const next = results.slice(list.children.length, list.children.length + STEP);
  const data = await Promise.all(next.map((r) => r.data()));
  const items = data.map((d) => item(d, terms));
  list.append(...items);
  list.hidden = list.children.length === 0;
  moreRow.hidden = list.children.length >= results.length;
  return items[0];
}

/** The "Show more results" button: more results, then focus on the first new one, so that
 * a keyboard or screen reader user goes on reading where the list grew. */
function offerMore(results, terms, query) {
  more.addEventListener("click", async () => {
    more.disabled = true;
    try {
      const first = await showMore(results, terms);
      announce(results.length, list.children.length, query);
      first?.querySelector("a").focus();
    } catch {
      status.textContent = "More results could not load. Please try again.";
    } finally {
      more.disabled = false;
    }
  });
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
  const { results } = await pagefind.search(query);
  const terms = words(query);
  await showMore(results, terms);
  announce(results.length, list.children.length, query);
  offerMore(results, terms, query);
}

run().catch(() => {
  fallback.hidden = false;
  status.textContent = "Search could not load. Please use the A to Z below.";
});
