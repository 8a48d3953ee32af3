// Building DOM nodes: the few helpers every page uses.

/**
 * Create an element with a class name and optional text.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {string} [className]
 * @param {string} [text]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function element(tag, className = "", text = "") {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

/**
 * The element with this id, which the page's HTML must have, of the given kind (throws
 * otherwise, naming it).
 * @template {HTMLElement} [E=HTMLElement]
 * @param {string} id
 * @param {new () => E} [kind] e.g. HTMLInputElement; HTMLElement when left out.
 * @returns {E}
 */
export function byId(id, kind) {
  const node = document.getElementById(id);
  const wanted = kind || HTMLElement;
  if (!(node instanceof wanted)) throw new Error(`the page has no ${wanted.name} #${id}`);
  return /** @type {E} */ (node);
}

/**
 * Whether a URL from the server is a plain path on this server (never javascript: etc.).
 * @param {unknown} url
 * @returns {url is string}
 */
export function isLocalPath(url) {
  return typeof url === "string" && url.startsWith("/") && !url.startsWith("//")
    && !url.startsWith("/\\");
}
