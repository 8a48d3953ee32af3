// What the complaint pages show the same way: the labels of a complaint's state, deadline
// flag and channel (keys built from the server's enumerations), and a list of facts.

import { hasMessage, t } from "../i18n.js";
import { element } from "./dom.js";

/**
 * The label of a complaint state (已登记, 已初审, ...), or the state itself if unknown.
 * @param {string} state
 * @returns {string}
 */
export function stateLabel(state) {
  const key = `complaint.state.${state}`;
  return hasMessage(key) ? t(key) : state;
}

/**
 * The label of a deadline flag (初审逾期, 办理逾期, ...), or the flag itself if unknown.
 * @param {string} flag
 * @returns {string}
 */
export function flagLabel(flag) {
  const key = `complaint.flag.${flag}`;
  return hasMessage(key) ? t(key) : flag;
}

/**
 * The label of how a complaint came in (网上, 电话, 信函, 来访).
 * @param {string} channel
 * @returns {string}
 */
export function channelLabel(channel) {
  const key = `complaint.channel.${channel}`;
  return hasMessage(key) ? t(key) : channel;
}

/**
 * Fill a `<dl>` with facts, leaving out those without a value.
 * @param {HTMLElement} list
 * @param {[string, string | null | undefined][]} facts label and value
 */
export function fillFacts(list, facts) {
  list.replaceChildren();
  for (const [label, value] of facts) {
    if (value === null || value === undefined || value === "") continue;
    list.append(element("dt", "", label), element("dd", "", value));
  }
}
