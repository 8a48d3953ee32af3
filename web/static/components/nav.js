// The console's pages in the header, each shown only to users with the permission it needs
// (the server refuses the page's API calls anyway). Add a page here with its permission.

/**
 * @typedef {object} NavEntry
 * @property {string} href The page's path.
 * @property {import("../i18n.js").MessageKey} label Its name in the catalogs.
 * @property {string | null} permission What /api/auth/me must list (null: every user).
 */

/** @type {NavEntry[]} */
export const NAV = [
  { href: "/live", label: "nav.live", permission: "watch_live" },
  { href: "/archive", label: "nav.archive", permission: "view_archive" },
  { href: "/review", label: "nav.review", permission: "view_archive" },
  { href: "/batches", label: "nav.batches", permission: null }, // each user sees their scope's
  { href: "/oversight", label: "nav.oversight", permission: "view_archive" }, // with a region
  { href: "/complaints", label: "nav.complaints", permission: "read_complaints" },
  { href: "/admin", label: "nav.admin", permission: "manage_directory" },
  { href: "/admin/users", label: "nav.users", permission: "manage_directory" },
  { href: "/admin/scenes", label: "nav.scenes", permission: "manage_directory" },
  { href: "/account", label: "nav.account", permission: null },
];

/**
 * The entries a user may use.
 * @param {readonly string[]} permissions From /api/auth/me.
 * @returns {NavEntry[]}
 */
export function navFor(permissions) {
  return NAV.filter((entry) => entry.permission === null || permissions.includes(entry.permission));
}
