/* Search page: Pagefind's interface over the site's own index, started with the ?q= of the search box. */
(function () {
  "use strict";
  var root = document.getElementById("search");
  if (!root || typeof PagefindUI === "undefined") return;
  function escape(text) {
    return String(text).replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  }
  var ui = new PagefindUI({
    element: "#search",
    showImages: false,
    showSubResults: false,
    resetStyles: false,
    // Favour short pages and do not reward repetition, so a place or a person
    // ranks above the long event pages that mention them many times.
    ranking: { pageLength: 1.0, termSaturation: 0.8 },
    pageSize: 10,
    processResult: function (result) {
      var meta = result.meta || {};
      // The date at its precision and the entry's summary, as the lists show them.
      if (meta.date) meta.title = meta.title + " · " + meta.date;
      if (meta.summary) result.excerpt = escape(meta.summary);
      delete meta.date; // shown in the title and the excerpt, not again as tags
      delete meta.summary;
      return result;
    }
  });
  // The page's visible heading names the search field (Pagefind gives it only a placeholder).
  var input = root.querySelector("input[type=text], input[type=search]");
  if (input) input.setAttribute("aria-labelledby", "search-heading");
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) ui.triggerSearch(query);
  document.documentElement.classList.add("has-search");
})();
