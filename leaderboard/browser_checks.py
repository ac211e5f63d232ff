"""What the browser test and the screenshot script check on a page of the app, through a selenium driver.

    open_board(driver, url, benchmark) -> loaded and settled;  tabs(driver) -> the tab buttons;
    click_tab(driver, label) -> clicked and settled;  page_problems(driver) -> what is wrong on the page, in words

page_problems reports, one line each:
  - every Streamlit exception element ([data-testid="stException"]) and every st.error alert
    ([data-testid="stAlertContentError"]: the app's shown_safely says "... view cannot be shown" through one; an
    expected condition is st.info or st.warning), shown now: the sidebar and the visible tab (a walk over the tabs
    sees each tab's once), named by where it is;
  - every drawn Vega chart on the visible tab (not in a closed expander) without a data mark. A data mark is an item of a `g.role-mark` group
    (Vega's SVG renderer draws each mark as such a group; axes, legends and titles are other roles): a `path` with a
    non-empty `d` (lines, areas, bars, rects and points are all paths), a `line` or `image`, or a `text` with
    characters. An empty chart must not be drawn at all (the app says why in words instead), so any drawn chart
    without one is a problem;
  - every pair of overlapping labels in one visible chart: text marks (`g.mark-text.role-mark text`, across all the
    chart's text layers) and axis labels (`g.role-axis-label text`, pairwise within one axis). Two labels overlap when
    their getBoundingClientRect boxes intersect by more than 1 px in both axes; labels Vega hid (opacity 0, its
    labelOverlap rule), empty ones and invisible ones are left out;
  - every text of a visible chart (title, axis, legend, mark) whose box reaches outside the chart's svg by more than a
    third of its line height (its box's shorter side): the browser clips an svg to its box, so that text is cut off.
The geometry runs in the page (JavaScript below) and comes back as plain data.
"""

from __future__ import annotations

import time
from typing import Any

TAB_SELECTOR = '[data-testid="stTab"]'
BENCHMARK_LABEL = "suite / split"  # the sidebar's selectbox; ?benchmark=<its option> preselects it
OVERLAP_PIXELS = 1.0  # intersections up to this, in both axes, are anti-aliasing, not labels drawn over each other
UNDRAWN_GRACE = 10.0  # seconds a chart may take to draw; after that page_problems reports it instead of a timeout

# Settled: no script run in progress (the status widget's running icon), no stale element, every visible chart drawn
# (an svg), and the same page signature over a few polls (Vega and the data grid draw after their elements appear).
SIGNATURE_JS = """
const visible = (element) => element.getClientRects().length > 0;
// The status widget also stays up to offer a rerun after a source file changed: only its running icon means running.
const running = document.querySelector('[data-testid="stStatusWidgetRunningIcon"]') !== null;
const stale = document.querySelectorAll('[data-stale="true"]').length;
const charts = Array.from(document.querySelectorAll('[data-testid="stVegaLiteChart"]')).filter(visible);
const undrawn = charts.filter((chart) => chart.querySelector('svg') === null).length;
const size = document.body.getElementsByTagName('*').length;
return {running: running, stale: stale, undrawn: undrawn, signature: [size, charts.length].join('/')};
"""

PROBLEMS_JS = """
const OVERLAP = arguments[0];
const problems = [];
const visible = (element) => element.getClientRects().length > 0;
const words = (element) => (element.textContent || '').replace(/\\s+/g, ' ').trim();
const short = (text) => text.length > 160 ? text.slice(0, 157) + '...' : text;

// Where an element is: the label of the tab panel holding it, else the sidebar or the page.
const place = (element) => {
  const panel = element.closest('[data-testid="stTabPanel"]');
  if (panel) {
    const group = panel.closest('[data-testid="stTabs"]');
    const panels = Array.from(group.querySelectorAll('[data-testid="stTabPanel"]')).filter((p) => p.closest('[data-testid="stTabs"]') === group);
    const buttons = Array.from(group.querySelectorAll('[data-testid="stTab"]')).filter((b) => b.closest('[data-testid="stTabs"]') === group);
    const button = buttons[panels.indexOf(panel)];
    return 'tab ' + JSON.stringify(button ? words(button) : '?');
  }
  return element.closest('[data-testid="stSidebar"]') ? 'sidebar' : 'page';
};
for (const [selector, what] of [['[data-testid="stException"]', 'exception'], ['[data-testid="stAlertContentError"]', 'error']]) {
  for (const element of Array.from(document.querySelectorAll(selector)).filter(visible)) {
    problems.push(`${what} in ${place(element)}: ${short(words(element))}`);
  }
}

// A label counts when it shows characters: Vega keeps the labels its overlap rule dropped, at opacity 0.
const shown = (text) => {
  const style = window.getComputedStyle(text);
  if (words(text) === '' || style.display === 'none' || style.visibility === 'hidden') return false;
  for (let node = text; node && node.tagName.toLowerCase() !== 'svg'; node = node.parentElement) {
    if (parseFloat(window.getComputedStyle(node).opacity) === 0) return false;
  }
  const box = text.getBoundingClientRect();
  return box.width > 0 && box.height > 0;
};
const overlaps = (texts, what, name) => {
  const boxes = texts.filter(shown).map((text) => [words(text), text.getBoundingClientRect()]);
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, boxA] = boxes[i], [b, boxB] = boxes[j];
      const across = Math.min(boxA.right, boxB.right) - Math.max(boxA.left, boxB.left);
      const down = Math.min(boxA.bottom, boxB.bottom) - Math.max(boxA.top, boxB.top);
      if (across > OVERLAP && down > OVERLAP) {
        problems.push(`overlapping ${what} in ${name}: ${JSON.stringify(short(a))} and ${JSON.stringify(short(b))} (${across.toFixed(0)} x ${down.toFixed(0)} px)`);
      }
    }
  }
};
const drawsData = (item) => {
  const tag = item.tagName.toLowerCase();
  if (tag === 'path') return (item.getAttribute('d') || '').trim() !== '';
  if (tag === 'text') return words(item) !== '';
  return tag === 'line' || tag === 'image' || tag === 'rect' || tag === 'circle';
};

const charts = Array.from(document.querySelectorAll('[data-testid="stVegaLiteChart"]')).filter(visible);
charts.forEach((chart, index) => {
  const svg = chart.querySelector('svg');
  const titled = Array.from(chart.querySelectorAll('g.role-title-text text, g.role-axis-title text')).map(words).filter((t) => t);
  const name = `chart ${index + 1}` + (titled.length ? ` (${short(titled.join(' / '))})` : '');
  if (svg === null) { problems.push(`${name}: not drawn (no svg)`); return; }
  // Rules (a zero line, a threshold) are drawn whatever the data: they do not make a chart non-empty.
  const items = Array.from(svg.querySelectorAll('g.role-mark:not(.mark-rule) > *'));
  if (!items.some(drawsData)) problems.push(`${name}: drawn with no data marks`);
  const frame = svg.getBoundingClientRect();
  for (const text of Array.from(svg.querySelectorAll('text')).filter(shown)) {
    const box = text.getBoundingClientRect();
    const out = Math.max(frame.left - box.left, box.right - frame.right, frame.top - box.top, box.bottom - frame.bottom);
    // A glyph's box pokes a few pixels past the svg by design; a third of a line height is letters lost.
    if (out > Math.max(OVERLAP, Math.min(box.width, box.height) / 3)) problems.push(`text cut off at the edge of ${name}: ${JSON.stringify(short(words(text)))} (${out.toFixed(0)} px outside)`);
  }
  overlaps(Array.from(svg.querySelectorAll('g.mark-text.role-mark text')), 'text marks', name);
  svg.querySelectorAll('g.role-axis').forEach((axis) => overlaps(Array.from(axis.querySelectorAll('g.role-axis-label text')), 'axis labels', name));
});
return problems;
"""


def tabs(driver: Any) -> list[Any]:
    """The tab buttons of the page's (first) st.tabs, in order."""
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, TAB_SELECTOR)


def tab_labels(driver: Any) -> list[str]:
    return [tab.text.strip() for tab in tabs(driver)]


def wait_until_settled(driver: Any, timeout: float = 60.0, quiet: float = 0.8) -> None:
    """Until Streamlit is not running the script, nothing is stale, and the page stayed the same for `quiet` s."""
    started = time.monotonic()
    last, since, state = None, started, None
    while time.monotonic() < started + timeout:
        state = driver.execute_script(SIGNATURE_JS)
        busy = state["running"] or state["stale"] or (state["undrawn"] and time.monotonic() < started + UNDRAWN_GRACE)
        if busy or state["signature"] != last:
            last, since = (None if busy else state["signature"]), time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        time.sleep(0.2)
    raise TimeoutError(f"the page did not settle within {timeout:.0f}s (last seen: {state})")


def open_board(driver: Any, url: str, benchmark: str | None = None, timeout: float = 60.0) -> None:
    """Load the app at `url` with `benchmark` preselected (None: the app's default) and wait until it settles.
    Raises LookupError when the page shows another benchmark (an unknown name falls back to the default quietly)."""
    import urllib.parse

    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url + (f"/?{urllib.parse.urlencode({'benchmark': benchmark})}" if benchmark else ""))
    WebDriverWait(driver, timeout).until(lambda _: tabs(driver))  # the script ran far enough to lay out its tabs
    wait_until_settled(driver, timeout)
    if benchmark is not None and selected(driver, BENCHMARK_LABEL) != benchmark:
        raise LookupError(f"the page shows {selected(driver, BENCHMARK_LABEL)!r}, not {benchmark!r}")


def selected(driver: Any, label: str) -> str | None:
    """The value a selectbox labelled `label` shows (None: no such selectbox)."""
    return driver.execute_script("const box = document.querySelector(`input[aria-label=${JSON.stringify(arguments[0])}]`); return box ? box.value : null;", label)


def page_height(driver: Any) -> int:
    """The height of everything on the page: Streamlit scrolls its main area, not the document."""
    return int(driver.execute_script("const main = document.querySelector('[data-testid=\"stMain\"]'); return Math.max(document.documentElement.scrollHeight, main ? main.scrollHeight : 0);"))


def click_tab(driver: Any, label: str, timeout: float = 60.0) -> None:
    """Click the tab labelled `label` and wait until the page settles."""
    from selenium.common.exceptions import ElementClickInterceptedException

    for tab in tabs(driver):
        if tab.text.strip() == label:
            driver.execute_script("arguments[0].scrollIntoView({block: 'nearest', inline: 'center'});", tab)  # a phone scrolls the tab row
            try:
                tab.click()
            except ElementClickInterceptedException:  # covered (a phone's header, a toast): the click still belongs to it
                driver.execute_script("arguments[0].click();", tab)
            wait_until_settled(driver, timeout)
            return
    raise LookupError(f"no tab {label!r}; the page has {tab_labels(driver)}")


def table_cells(driver: Any) -> list[list[list[str]]]:
    """The text of every visible st.dataframe, row by row. The grid draws on a canvas; this is its accessible twin,
    which holds the rows and columns in view only (a tall table scrolls, a wide one hides columns on the right)."""
    return driver.execute_script(
        """return Array.from(document.querySelectorAll('[data-testid="stDataFrame"]')).filter((grid) => grid.getClientRects().length > 0)
          .map((grid) => Array.from(grid.querySelectorAll('table tbody tr')).map((row) => Array.from(row.querySelectorAll('td')).map((cell) => cell.textContent.trim())));"""
    )


def page_problems(driver: Any) -> list[str]:
    """What is wrong on the page as shown now (see the module's docstring); empty when nothing is."""
    return list(driver.execute_script(PROBLEMS_JS, OVERLAP_PIXELS))
