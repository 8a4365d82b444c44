/**
 * A small element builder for the page's panels: `h("td", { class: "n" },
 * "42")`. Text is always set as text, never parsed as HTML.
 *
 * @module
 */

/** Attributes of {@link h}: strings set as attributes; `undefined` leaves one out. */
export type Attributes = Readonly<Record<string, string | undefined>>;

/** A child of {@link h}: an element, text, or nothing. */
export type Child = Node | string | undefined | false;

/** A new element `tag` with `attrs` and `children`. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) if (value !== undefined) el.setAttribute(name, value);
  for (const c of children) if (c !== undefined && c !== false) el.append(c);
  return el;
}

/** The element with id `id`. @throws {Error} there is none (the page's HTML and script disagree). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`the page has no #${id}`);
  return el as T;
}

/** A 2D context of `canvas`. @throws {Error} the browser gives none. */
export function context2d(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const ctx = canvas.getContext("2d");
  if (ctx === null) throw new Error("no 2D canvas context");
  return ctx;
}
