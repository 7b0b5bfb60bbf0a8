/* Long event lists: show only one topic. Without JavaScript the whole list stays, grouped by year. */
(function () {
  "use strict";
  var form = document.querySelector(".list-filter");
  var select = document.getElementById("topic-filter");
  if (!form || !select) return;
  form.hidden = false;
  select.addEventListener("change", function () {
    var topic = select.value;
    document.querySelectorAll(".year-group").forEach(function (group) {
      var shown = 0;
      group.querySelectorAll(".event-item").forEach(function (item) {
        var match = !topic || (" " + item.getAttribute("data-topics") + " ").indexOf(" " + topic + " ") !== -1;
        item.hidden = !match;
        if (match) shown += 1;
      });
      group.hidden = shown === 0;
    });
  });
})();
