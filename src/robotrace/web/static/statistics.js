// Draws each chart of the statistics page from its Vega-Lite specification (the JSON next to
// it) with the Vega bundle the portal serves; the tables beside the charts hold the same
// figures for readers without JavaScript or a screen.
for (const target of document.querySelectorAll(".vega[data-spec]")) {
  const spec = JSON.parse(document.getElementById(target.dataset.spec).textContent);
  window
    .vegaEmbed(target, spec, { actions: false, renderer: "svg" })
    .then(() => target.setAttribute("data-drawn", "true"))
    .catch((error) => {
      target.textContent = "The chart could not be drawn: " + error.message;
    });
}
