/* HS code search-as-you-type: suggestions from GET /api/v1/customs/hs/?q= (codes or words, English or Chinese). */
(function () {
  var input = document.querySelector("[data-hs-search]");
  var list = document.getElementById("hs-options");
  if (!input || !list) return;
  var timer = null, last = "";
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = input.value.trim();
      if (q.length < 2 || q === last) return;
      last = q;
      fetch(input.dataset.hsSearch + "?limit=15&q=" + encodeURIComponent(q), {headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : {results: []}; })
        .then(function (data) {
          list.replaceChildren.apply(list, (data.results || []).filter(function (e) { return e.code.length >= 6; })
            .map(function (e) {
              var option = document.createElement("option");
              option.value = e.code;
              option.label = e.code + " — " + e.description + (e.description_zh ? " / " + e.description_zh : "");
              return option;
            }));
        });
    }, 200);
  });
})();
