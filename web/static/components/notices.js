// The notices button of the header: what is due for the user (/api/notifications: batch
// steps and complaints near or past their deadline, within the user's scope), a badge with
// how many, and a list of links to each batch or complaint. Escape closes the list.

import { apiJson } from "../api.js";
import { hasMessage, t } from "../i18n.js";
import { element } from "./dom.js";
import { messageOf } from "./errors.js";

/**
 * @typedef {object} Notice An item of /api/notifications.
 * @property {"batch" | "complaint"} subject
 * @property {number} subject_id
 * @property {string} step plan_filing, report_signing, results_filing, first_review, resolution
 * @property {string} due The deadline (a day in China).
 * @property {"due_soon" | "overdue"} stage
 */

/**
 * A notice as one line in the page's language.
 * @param {Notice} notice
 */
function noticeText(notice) {
  const step = `notices.step.${notice.step}`;
  const stage = `notices.stage.${notice.stage}`;
  return t("notices.item", {
    what: notice.subject === "batch" ? t("notices.batch", { id: notice.subject_id })
      : t("notices.complaint", { id: notice.subject_id }),
    step: hasMessage(step) ? t(step) : notice.step,
    stage: hasMessage(stage) ? t(stage) : notice.stage,
    due: notice.due,
  });
}

/**
 * Where a notice leads: the batch on the batches page, the complaint in the workspace.
 * @param {Notice} notice
 */
function noticeHref(notice) {
  return notice.subject === "batch" ? `/batches?batch=${notice.subject_id}`
    : `/complaints?complaint=${notice.subject_id}`;
}

/**
 * Fill the list with the notices (or why there are none).
 * @param {HTMLElement} list
 * @param {Notice[] | string} notices The notices, or an error message.
 */
function fillList(list, notices) {
  if (typeof notices === "string" || notices.length === 0) {
    const line = element("li", typeof notices === "string" ? "error" : "muted",
      typeof notices === "string" ? notices : t("notices.empty"));
    list.replaceChildren(line);
    return;
  }
  list.replaceChildren(...notices.map((notice) => {
    const item = element("li", notice.stage === "overdue" ? "notice overdue" : "notice");
    const link = element("a", "", noticeText(notice));
    link.href = noticeHref(notice);
    item.append(link);
    return item;
  }));
}

/**
 * The button with its badge and the list it opens (loaded once, when the header is drawn).
 * @returns {HTMLElement}
 */
export function noticesBox() {
  const box = element("div", "notices");
  const button = element("button", "secondary notices-button");
  button.type = "button";
  button.id = "notices-button";
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "notices-list");
  const label = element("span", "", t("notices.button"));
  const badge = element("span", "notices-badge");
  badge.id = "notices-badge";
  badge.hidden = true;
  button.append(label, badge);
  const panel = element("div", "notices-panel");
  panel.hidden = true;
  const title = element("p", "notices-title", t("notices.title"));
  title.id = "notices-title";
  const list = element("ul", "notices-list");
  list.id = "notices-list";
  list.setAttribute("aria-labelledby", "notices-title");
  panel.append(title, list);
  box.append(button, panel);

  /** @param {boolean} open */
  const setOpen = (open) => {
    panel.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
  };
  button.addEventListener("click", () => setOpen(panel.hidden));
  box.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !panel.hidden) {
      setOpen(false);
      button.focus();
    }
  });
  void apiJson("/api/notifications").then((answer) => {
    const notices = /** @type {{items: Notice[]}} */ (answer).items;
    fillList(list, notices);
    const overdue = notices.filter((notice) => notice.stage === "overdue").length;
    badge.textContent = String(notices.length);
    badge.classList.toggle("overdue", overdue > 0);
    badge.hidden = notices.length === 0; // the button's name is its text: "提醒 3"
  }, (error) => fillList(list, messageOf(error)));
  return box;
}
