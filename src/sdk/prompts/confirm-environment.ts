/**
 * Shows the exact environment values that would be sent and lets the person drop any.
 */
import { CANCELLED, type Cancelled, type PromptUi } from "./ui.js";


/** Asks which environment values to keep (all ticked at first); resolves what is kept, or `CANCELLED`. */
export async function confirmEnvironment(ui: PromptUi, environment: Record<string, string>): Promise<Record<string, string> | Cancelled> {
  const names = Object.keys(environment).sort();
  if (names.length === 0) return environment;
  const width = Math.max(10, ui.columns - 8);
  const kept = await ui.multiselect(
    "Environment values sent with the report (space unticks one, enter confirms)",
    names.map((name) => ({ name, message: shorten(`${name}=${environment[name] ?? ""}`, width) })),
    names,
  );
  if (kept === CANCELLED) return kept;
  const keep = new Set(kept);
  return Object.fromEntries(names.filter((n) => keep.has(n)).map((n) => [n, environment[n] ?? ""]));
}

function shorten(text: string, width: number): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, " ");
  return clean.length <= width ? clean : `${clean.slice(0, width - 1)}…`;
}
