/**
 * A tiny element builder. Text always goes in as text nodes and attributes through setAttribute, so
 * nothing the API returns (usernames with punctuation, error messages) can ever become markup.
 */
export type Child = Node | string | number | false | null | undefined | Child[];

type Handler = (event: Event) => void;

export interface Attrs {
  [name: string]: string | number | boolean | null | undefined | Handler | Record<string, Handler>;
  /** Event listeners: `{ click: fn }`. */
  on?: Record<string, Handler>;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs | null = null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (attrs) {
    for (const [name, value] of Object.entries(attrs)) {
      if (name === 'on' && value && typeof value === 'object') {
        for (const [event, handler] of Object.entries(value)) element.addEventListener(event, handler);
      } else if (value === true) {
        element.setAttribute(name, '');
      } else if (value !== false && value !== null && value !== undefined && typeof value !== 'function' && typeof value !== 'object') {
        element.setAttribute(name, String(value));
      }
    }
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

let idCounter = 0;
/** A unique id for label/aria wiring. */
export function uid(prefix: string): string {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/**
 * A message area for one form: errors are announced at once (role=alert), successes politely. The
 * fields it describes get aria-describedby/aria-invalid while an error shows.
 */
export class Notice {
  readonly element: HTMLDivElement;
  private fields: HTMLElement[] = [];

  constructor() {
    this.element = h('div', { id: uid('notice'), class: 'notice', hidden: true });
  }

  describe(...fields: HTMLElement[]): this {
    this.fields.push(...fields);
    return this;
  }

  error(message: string, ...extra: Child[]): void {
    this.show('error', message, extra);
    for (const field of this.fields) {
      field.setAttribute('aria-invalid', 'true');
      addToken(field, 'aria-describedby', this.element.id);
    }
  }

  /** An error that is not about what was typed (a refusal, an outage): announced, fields left as they are. */
  problem(message: string, ...extra: Child[]): void {
    this.clearFields();
    this.show('error', message, extra);
  }

  success(message: string, ...extra: Child[]): void {
    this.show('success', message, extra);
    this.clearFields();
  }

  info(message: string, ...extra: Child[]): void {
    this.show('info', message, extra);
  }

  clear(): void {
    this.element.hidden = true;
    this.element.replaceChildren();
    this.element.removeAttribute('role');
    this.clearFields();
  }

  private clearFields(): void {
    for (const field of this.fields) {
      field.removeAttribute('aria-invalid');
      removeToken(field, 'aria-describedby', this.element.id);
    }
  }

  private show(kind: 'error' | 'success' | 'info', message: string, extra: Child[]): void {
    this.element.className = `notice notice-${kind}`;
    // Re-creating the role makes screen readers announce a repeated, identical error again.
    this.element.removeAttribute('role');
    this.element.replaceChildren();
    this.element.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    append(this.element, [h('p', null, message), ...extra]);
    this.element.hidden = false;
  }
}

function addToken(element: HTMLElement, attribute: string, token: string): void {
  const tokens = new Set((element.getAttribute(attribute) ?? '').split(/\s+/).filter(Boolean));
  tokens.add(token);
  element.setAttribute(attribute, [...tokens].join(' '));
}

function removeToken(element: HTMLElement, attribute: string, token: string): void {
  const tokens = (element.getAttribute(attribute) ?? '').split(/\s+/).filter((t) => t && t !== token);
  if (tokens.length) element.setAttribute(attribute, tokens.join(' '));
  else element.removeAttribute(attribute);
}

/**
 * Marks a button busy while `work` runs, so a double press sends one request. The button stays
 * focusable (aria-disabled, not disabled): disabling a focused button would drop keyboard focus.
 */
export async function busy<T>(button: HTMLButtonElement, work: () => Promise<T>): Promise<T | undefined> {
  if (button.getAttribute('aria-busy') === 'true') return undefined;
  button.setAttribute('aria-disabled', 'true');
  button.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    button.removeAttribute('aria-disabled');
    button.removeAttribute('aria-busy');
  }
}

/** A labelled text field with an optional hint; answers the wrapper and the input. */
export function field(options: {
  label: string;
  name: string;
  type?: string;
  required?: boolean;
  hint?: string;
  autocomplete?: string;
  inputmode?: string;
  pattern?: string;
  maxlength?: number;
  value?: string;
  spellcheck?: boolean;
  autocapitalize?: string;
}): { wrapper: HTMLDivElement; input: HTMLInputElement } {
  const id = uid(options.name);
  const hintId = options.hint ? `${id}-hint` : undefined;
  const input = h('input', {
    id,
    name: options.name,
    type: options.type ?? 'text',
    required: options.required ?? false,
    autocomplete: options.autocomplete,
    inputmode: options.inputmode,
    pattern: options.pattern,
    maxlength: options.maxlength,
    'aria-describedby': hintId,
    spellcheck: options.spellcheck === undefined ? undefined : String(options.spellcheck),
    autocapitalize: options.autocapitalize,
  });
  if (options.value !== undefined) input.value = options.value;
  const wrapper = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, options.label, options.required ? h('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : null),
    options.hint ? h('p', { class: 'hint', id: hintId }, options.hint) : null,
    input,
  );
  return { wrapper, input };
}

/** Formats an ISO time for people, in their locale. */
export function formatTime(value: unknown): string {
  if (typeof value !== 'string' && typeof value !== 'number') return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toLocaleString();
}
