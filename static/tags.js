// Suggest the course's tags for the tag being typed after a comma; without JS the datalist
// still suggests them for the first tag.
(function () {
  document.querySelectorAll("input[data-tags]").forEach(function (input) {
    const list = document.getElementById(input.getAttribute("list"));
    if (!list) return;
    const tags = Array.prototype.map.call(list.options, (o) => o.value);
    input.addEventListener("input", function () {
      const parts = input.value.split(",");
      const typed = parts.pop().trim().toLowerCase();
      const done = parts.map((p) => p.trim().toLowerCase()).filter(Boolean);
      const prefix = done.length ? done.join(", ") + ", " : "";
      const options = tags
        .filter((t) => !done.includes(t) && t.includes(typed))
        .slice(0, 50)
        .map(function (t) {
          const option = document.createElement("option");
          option.value = prefix + t;
          return option;
        });
      list.replaceChildren(...options);
    });
  });
})();
