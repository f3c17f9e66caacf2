// Draws each chart of the statistics page from its Vega-Lite specification (the JSON next to
// it) with the Vega bundle the portal serves; the tables beside the charts hold the same
// figures for readers without JavaScript or a screen.
//
// The specifications are the ones the PNGs are made from (robotrace.stats.charts), drawn at a
// fixed width; on the page a chart takes the width of its box instead, and its labels are
// at least 13 px, whatever the specification's defaults.
const LABELS = { labelFontSize: 13, titleFontSize: 13 };

function readable(config) {
  return {
    ...config,
    axis: { ...LABELS, ...(config.axis || {}) },
    legend: { ...LABELS, ...(config.legend || {}) },
    header: { ...LABELS, ...(config.header || {}) },
    title: { fontSize: 15, ...(config.title || {}) },
  };
}

function faceted(spec) {
  const encoding = spec.encoding || {};
  return Boolean(spec.facet || spec.repeat || encoding.row || encoding.column || encoding.facet);
}

// The spec drawn as wide as ``box``. A single view fits its box exactly (Vega's own
// "container" width); a faceted one, which "container" does not reach, gets the box's width
// less room for its row labels.
function fitted(spec, box) {
  const drawn = { ...spec, config: readable(spec.config || {}) };
  if (faceted(spec)) {
    drawn.width = Math.max(160, box.clientWidth - 300);
  } else {
    drawn.width = "container";
    drawn.autosize = { type: "fit-x", contains: "padding" };
  }
  return drawn;
}

for (const target of document.querySelectorAll(".vega[data-spec]")) {
  const spec = JSON.parse(document.getElementById(target.dataset.spec).textContent);
  window
    .vegaEmbed(target, fitted(spec, target), { actions: false, renderer: "svg" })
    .then(() => target.setAttribute("data-drawn", "true"))
    .catch((error) => {
      target.textContent = "The chart could not be drawn: " + error.message;
    });
}
