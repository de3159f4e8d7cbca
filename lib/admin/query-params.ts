import { z } from "zod";
import { safeText } from "@/lib/http";

/**
 * Query-string fields of the admin list routes (users, audit log): every
 * value arrives as a string.
 */
export const flagParam = z.enum(["true", "false"], { error: 'Use "true" or "false".' }).transform((value) => value === "true");

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A day (YYYY-MM-DD, UTC midnight) or an ISO date-time. For an exclusive
 * upper bound (`endOfDay`), a bare day means up to the end of that day.
 */
export const instantParam = (options: { endOfDay: boolean }) =>
  z
    .union([z.iso.date(), z.iso.datetime({ offset: true })], { error: "Use a date (YYYY-MM-DD) or an ISO date-time." })
    .transform((value) => {
      const date = new Date(DAY.test(value) ? `${value}T00:00:00.000Z` : value);
      return options.endOfDay && DAY.test(value) ? new Date(date.getTime() + 86_400_000) : date;
    });

/** The audit log's filters (list and CSV export). */
export const auditFilterParams = z.object({
  type: safeText({ max: 100, label: "Type" }).optional(),
  actorId: safeText({ max: 64, label: "Actor" }).optional(),
  targetId: safeText({ max: 64, label: "Target" }).optional(),
  from: instantParam({ endOfDay: false }).optional(),
  to: instantParam({ endOfDay: true }).optional(),
});
