// Tables that sort: every table with a header row (a <thead>, or a first row of <th> cells),
// except table.no-sort, gets its column headers as buttons; a click, Enter or Space sorts
// the rows by that column, a second one reverses them, and the header says which way in
// aria-sort. A cell's data-sort value wins over its text (the text is for people: "10 Apr
// 2020, 10:14 EDT", "3 h late"). Numbers sort as numbers, ISO dates and times as times, the
// rest alphabetically with digits read as numbers; empty cells and dashes go last. Without
// JavaScript a table keeps the server's order.
(function () {
  "use strict";

  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  const EMPTY = /^(|–|—|-)$/;
  const NUMBER = /^[-+−]?[\d,\u202f\u00a0 ]*\.?\d+\s*%?$/;
  // 2020-04-10, 2020-04-10 14:14:30 UTC, and the portal's times for people:
  // "10 Apr 2020, 10:14 EDT" (robotrace.calendar.for_people; zones the browser knows).
  const DAY = /^(\d{4}-\d{2}-\d{2}|\d{1,2} [A-Z][a-z]{2} \d{4})/;

  function keyOf(cell) {
    if (!cell) return "";
    const given = cell.getAttribute("data-sort");
    return (given === null ? cell.textContent : given).trim();
  }

  function asNumber(text) {
    if (!NUMBER.test(text)) return null;
    const value = Number(text.replace(/[,\u202f\u00a0 %]/g, "").replace("−", "-"));
    return Number.isNaN(value) ? null : value;
  }

  function asTime(text) {
    if (!DAY.test(text)) return null;
    const value = Date.parse(text);
    return Number.isNaN(value) ? null : value;
  }

  // The comparison for one column: numeric when every non-empty key is a number, by time
  // when every one is an ISO date, otherwise by text.
  function comparerFor(keys) {
    const filled = keys.filter((k) => !EMPTY.test(k));
    for (const parse of [asNumber, asTime]) {
      if (filled.length && filled.every((k) => parse(k) !== null)) {
        return (a, b) => parse(a) - parse(b);
      }
    }
    return (a, b) => collator.compare(a, b);
  }

  // The column each header cell of one column stands over, reading the header's rows as a
  // grid (a group header spans several columns; a header beside it spans several rows).
  function leafColumns(thead) {
    const taken = [];
    const leaves = new Map();
    [...thead.rows].forEach((row, r) => {
      let column = 0;
      for (const cell of row.cells) {
        while (taken[r] && taken[r][column]) column += 1;
        for (let dr = 0; dr < (cell.rowSpan || 1); dr += 1) {
          for (let dc = 0; dc < (cell.colSpan || 1); dc += 1) {
            (taken[r + dr] = taken[r + dr] || [])[column + dc] = true;
          }
        }
        if ((cell.colSpan || 1) === 1) leaves.set(cell, column);
        column += cell.colSpan || 1;
      }
    });
    return leaves;
  }

  function cellAt(row, column) {
    let index = 0;
    for (const cell of row.cells) {
      if (index === column || (index < column && column < index + (cell.colSpan || 1))) {
        return cell;
      }
      index += cell.colSpan || 1;
    }
    return null;
  }

  function sortBy(table, th, column) {
    const descending = th.getAttribute("aria-sort") === "ascending";
    for (const body of table.tBodies) {
      // Rows that close a list ("(others)", totals) keep their place at the end.
      const rows = [...body.rows].filter((r) => !r.hasAttribute("data-sort-fixed"));
      const fixed = [...body.rows].filter((r) => r.hasAttribute("data-sort-fixed"));
      const keyed = rows.map((row, i) => ({ row, i, key: keyOf(cellAt(row, column)) }));
      const compare = comparerFor(keyed.map((k) => k.key));
      keyed.sort((a, b) => {
        const emptyA = EMPTY.test(a.key);
        const emptyB = EMPTY.test(b.key);
        if (emptyA !== emptyB) return emptyA ? 1 : -1; // empty last, either way
        const order = emptyA ? 0 : compare(a.key, b.key);
        return (descending ? -order : order) || a.i - b.i;
      });
      for (const { row } of keyed) body.appendChild(row);
      for (const row of fixed) body.appendChild(row);
    }
    for (const other of table.tHead.querySelectorAll("th[aria-sort]")) {
      other.setAttribute("aria-sort", "none");
    }
    th.setAttribute("aria-sort", descending ? "descending" : "ascending");
  }

  // Many of the portal's tables write their header as a first row of <th> cells without a
  // <thead>; that row is moved into one, where it belongs, before the table sorts.
  function headOf(table) {
    if (table.tHead) return table.tHead;
    const first = table.rows[0];
    if (!first || ![...first.cells].every((cell) => cell.tagName === "TH")) return null;
    if (table.rows.length < 3) return null; // a header and one row: nothing to sort
    const head = table.createTHead();
    head.appendChild(first);
    return head;
  }

  function makeSortable(table) {
    if (table.classList.contains("no-sort") || table.dataset.sortable) return;
    if (!headOf(table)) return;
    table.dataset.sortable = "true";
    for (const [th, column] of leafColumns(table.tHead)) {
      if (th.hasAttribute("data-no-sort") || !th.textContent.trim()) continue;
      if (th.querySelector("button, a, input, select")) continue;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      th.setAttribute("aria-sort", "none");
      button.addEventListener("click", () => sortBy(table, th, column));
    }
  }

  function makeAllSortable(root) {
    for (const table of root.querySelectorAll("table")) makeSortable(table);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => makeAllSortable(document));
  } else {
    makeAllSortable(document);
  }
  // Tables htmx swaps in later sort too.
  document.addEventListener("htmx:afterSettle", (event) => makeAllSortable(event.target));
})();
