// Search with the index the build wrote to search/ (generator/render/search_index.py says how it is
// laid out). A query is cut into terms exactly as the build cut the papers; each term loads one
// small file per shard; a paper must contain every term (a term of two or more characters
// also matches the longer words it begins: "embed" finds "embedding"). Each shown result's title, date and excerpt come from
// its own page. Results are built with DOM methods and textContent only: nothing fetched is
// ever inserted as HTML.
(function () {
  "use strict";
  const form = document.querySelector(".search-page-form");
  const input = document.getElementById("q");
  const select = document.getElementById("theme-filter");
  const status = document.getElementById("search-status");
  const list = document.getElementById("search-results");
  const base = new URL(".", document.baseURI);  // the site root: search.html lives there
  const params = new URLSearchParams(window.location.search);
  const SHOW = 50;  // results listed
  const PREFIX_WEIGHT = 0.5;  // a longer word a term begins counts half as much as the term
  const FORMAT = 2;  // of search/shards.json and the shard files (generator/publish/search.py)
  input.value = params.get("q") || "";
  select.value = params.get("theme") || "";

  // --- Terms: the same steps as terms() in generator/render/search_index.py. ---
  function stem(word) {
    // The S-stemmer (plural endings only); the first rule that applies.
    if (Array.from(word).length <= 3) { return word; }
    if (word.endsWith("ies") && !word.endsWith("eies") && !word.endsWith("aies")) {
      return word.slice(0, -3) + "y";
    }
    if (word.endsWith("es") && !/(?:aes|ees|oes)$/.test(word)) { return word.slice(0, -1); }
    if (word.endsWith("s") && !word.endsWith("us") && !word.endsWith("ss")) {
      return word.slice(0, -1);
    }
    return word;
  }
  function words(text) {
    const folded = text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
    return folded.match(/[\p{L}\p{N}]+/gu) || [];
  }
  function terms(text, stemmed) {
    return words(text).map((w) => (stemmed ? stem(w) : w));
  }
  function chunkOf(term, chunks) {
    const chars = Array.from(term);
    const code = chars[0].codePointAt(0) * 31 + (chars.length > 1 ? chars[1].codePointAt(0) : 0);
    return code % chunks;
  }
  function weightOf(word, term) {
    // How much an index word counts for a query term: 1 if it is the term, PREFIX_WEIGHT if
    // it begins with it, else 0. One character chooses its file by itself and longer words
    // by their first two, so a one-character term is matched exactly, never as a prefix.
    if (word === term) { return 1; }
    if (Array.from(term).length === 1) { return 0; }
    return word.startsWith(term) ? PREFIX_WEIGHT : 0;
  }
  window.digestSearchTerms = { terms: terms, chunkOf: chunkOf, weightOf: weightOf };  // tests

  // --- The index: shards.json, then per shard the term files a query needs, and the blocks
  // of slugs (d<b>.json) that hold the results it shows. ---
  function getJSON(path) {
    return fetch(new URL(path, base)).then((r) => {
      if (!r.ok) { throw new Error(path + ": " + r.status); }
      return r.json();
    });
  }
  const files = new Map();
  function file(path) {
    if (!files.has(path)) {
      const loading = getJSON(path);
      loading.catch(() => { files.delete(path); });
      files.set(path, loading);
    }
    return files.get(path);
  }

  function folderOf(shard) {
    return "search/" + encodeURIComponent(shard.name) + "/";
  }

  async function shardMatches(shard, number, listing, queryTerms) {
    // Each query term's best weight per paper of this shard; papers lacking a term drop out.
    const folder = folderOf(shard);
    const chunks = await Promise.all(queryTerms.map((term) =>  // all at once, not in turn
      file(folder + "t" + chunkOf(term, listing.chunks) + ".json")));
    let scores = null;
    for (const [n, term] of queryTerms.entries()) {
      const chunk = chunks[n];
      const best = new Map();
      for (const [word, postings] of Object.entries(chunk)) {
        const factor = weightOf(word, term);
        if (factor === 0) { continue; }
        let doc = 0;
        for (let i = 0; i < postings.length; i += 2) {
          doc += postings[i];
          const weight = postings[i + 1] * factor;
          if (!(best.get(doc) >= weight)) { best.set(doc, weight); }
        }
      }
      if (scores === null) {
        scores = best;
      } else {
        const both = new Map();
        for (const [doc, score] of scores) {
          if (best.has(doc)) { both.set(doc, score + best.get(doc)); }
        }
        scores = both;
      }
      if (scores.size === 0) { return []; }
    }
    return Array.from(scores, ([doc, score]) => ({ shard: number, doc: doc, score: score }));
  }

  async function withSlugs(hits, listing) {
    // Each hit's slug, from the blocks of slugs that hold them (each block fetched once).
    await Promise.all(hits.map(async (hit) => {
      const block = Math.floor(hit.doc / listing.block);
      const slugs = await file(folderOf(listing.shards[hit.shard]) + "d" + block + ".json");
      hit.slug = slugs[hit.doc - block * listing.block];
    }));
    return hits;
  }

  function themeMembers(slug) {
    return file("data/themes/" + encodeURIComponent(slug) + ".json")
      .then((data) => new Set(data.papers));
  }

  // --- Showing results: title, date and excerpt read from each paper's page. ---
  async function describe(slug) {
    const response = await fetch(new URL("papers/" + encodeURIComponent(slug) + ".html", base));
    if (!response.ok) { return { title: slug, date: "", abstract: "" }; }
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const pick = (selector) => {
      const node = page.querySelector(selector);
      return node ? node.textContent.replace(/\s+/g, " ").trim() : "";
    };
    return { title: pick("article h1") || pick("title") || slug, date: pick("article .meta"),
             abstract: pick("article .abstract") };
  }

  function excerpt(text, queryTerms, stemmed) {
    // About 30 words around the first one that matches a query term, matches marked.
    const parts = text.split(/(\s+)/);
    const matches = (part) => {
      const t = terms(part, stemmed);
      return t.length > 0 && t.some((w) => queryTerms.some((q) => w.startsWith(q)));
    };
    const wordsAt = [];
    parts.forEach((part, i) => { if (part.trim()) { wordsAt.push(i); } });
    const first = wordsAt.findIndex((i) => matches(parts[i]));
    const from = Math.max(0, (first < 0 ? 0 : first) - 10);
    const shown = wordsAt.slice(from, from + 30);
    const node = document.createElement("p");
    node.className = "snippet";
    if (from > 0) { node.append("… "); }
    shown.forEach((i, n) => {
      if (n > 0) { node.append(" "); }
      if (matches(parts[i])) {
        const mark = document.createElement("mark");
        mark.textContent = parts[i];
        node.append(mark);
      } else {
        node.append(parts[i]);
      }
    });
    if (from + 30 < wordsAt.length) { node.append(" …"); }
    return node;
  }

  function show(message) {
    status.textContent = message;
  }

  let current = 0;  // the newest search; an older one still running stops showing
  async function run() {
    const query = input.value.trim();
    const mine = ++current;
    list.replaceChildren();
    if (!query) {
      show("Type a few words from a title or abstract.");
      return;
    }
    show("Searching…");
    let listing;
    try {
      listing = await file("search/shards.json");
    } catch (err) {
      if (mine === current) {
        show("Search is not available here (it needs the site to be served over HTTP).");
      }
      return;
    }
    if (listing.format !== FORMAT) {
      show("The search index has a format this page does not know; rebuild the site.");
      return;
    }
    const queryTerms = Array.from(new Set(terms(query, listing.stem)));
    if (queryTerms.length === 0) {
      show("No paper found for “" + query + "”: type words with letters or digits.");
      return;
    }
    const wanted = select.value;
    let members = null;
    let found;
    try {
      const perShard = await Promise.all(listing.shards.map((shard, number) =>
        shardMatches(shard, number, listing, queryTerms)));
      found = perShard.flat();
      if (wanted) {  // the filter needs every match's slug; without it, only the shown ones
        members = await themeMembers(wanted);
        found = (await withSlugs(found, listing)).filter((hit) => members.has(hit.slug));
      }
      // Best first; equal scores newest first (later shards and places hold newer papers).
      found.sort((a, b) => b.score - a.score || b.shard - a.shard || b.doc - a.doc);
      if (!wanted) { await withSlugs(found.slice(0, SHOW), listing); }
    } catch (err) {
      if (mine === current) { show("The search index could not be read: " + err.message); }
      return;
    }
    const shown = found.slice(0, SHOW);
    const pages = await Promise.all(shown.map((hit) => describe(hit.slug).catch(() => (
      { title: hit.slug, date: "", abstract: "" }))));
    if (mine !== current) { return; }
    const total = found.length;
    const label = wanted ? " in " + select.options[select.selectedIndex].text : "";
    show(total + (total === 1 ? " paper" : " papers") + " found for “" + query + "”" + label +
         (total > SHOW ? "; the first " + SHOW + ":" : "."));
    shown.forEach((hit, n) => {
      const data = pages[n];
      const item = document.createElement("li");
      item.className = "paper-item";
      const heading = document.createElement("h2");
      heading.className = "paper-title";
      const link = document.createElement("a");
      link.href = new URL("papers/" + encodeURIComponent(hit.slug) + ".html", base).href;
      link.textContent = data.title;
      heading.appendChild(link);
      item.appendChild(heading);
      if (data.date) {
        const meta = document.createElement("p");
        meta.className = "meta muted";
        meta.textContent = data.date;
        item.appendChild(meta);
      }
      if (data.abstract) { item.appendChild(excerpt(data.abstract, queryTerms, listing.stem)); }
      list.appendChild(item);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const url = new URL(window.location.href);
    url.searchParams.set("q", input.value);
    if (select.value) { url.searchParams.set("theme", select.value); } else { url.searchParams.delete("theme"); }
    window.history.replaceState(null, "", url);
    run();
  });
  run();
})();
