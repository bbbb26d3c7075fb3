// The console's addresses: one for every page and every record.

export type Page = "queue" | "followUps" | "ratings" | "hotline" | "scorecards" | "bulletins" | "monitoring" | "satisfaction" | "admin";

/** The notifications page. */
export const NOTIFICATIONS = "/notifications";

/** Each page's address. */
export const PATHS: Record<Page, string> = {
  queue: "/queue",
  followUps: "/follow-ups",
  ratings: "/ratings",
  hotline: "/hotline",
  scorecards: "/scorecards",
  bulletins: "/bulletins",
  monitoring: "/monitoring",
  satisfaction: "/satisfaction",
  admin: "/admin",
};

/** A record's address; its id is one path segment whatever it holds. */
export const recordPath = (doc: string) => `/records/${encodeURIComponent(doc)}`;

/** A store's page: its score history, audits and open actions. */
export const storePath = (id: string) => `/stores/${encodeURIComponent(id)}`;

/** The pages a role may open: monitoring, hotline figures, scorecards, bulletins and administration for administrators and managers. */
export function pagesFor(role: string | null): Page[] {
  const pages: Page[] = ["queue", "followUps", "ratings"];
  if (role === "admin" || role === "manager") pages.push("monitoring", "hotline", "scorecards", "bulletins");
  pages.push("satisfaction");
  if (role === "admin" || role === "manager") pages.push("admin");
  return pages;
}
