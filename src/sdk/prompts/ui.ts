/**
 * The terminal conversation: questions through `enquirer` (loaded here, only when a person is there to
 * answer), and plain text for previews. Ctrl-C or Escape at any question, or SIGINT between questions,
 * cancels: every later question answers `CANCELLED` at once, so nothing is sent and nothing written.
 */
import { colorEnabled, createStyle, defaultStreams, terminalColumns, type Style, type TerminalStreams } from "./terminal.js";

/** What a question resolves when the person cancelled (Ctrl-C, Escape, SIGINT). */
export const CANCELLED: unique symbol = Symbol("bugbeacon.cancelled");
export type Cancelled = typeof CANCELLED;

export interface SelectChoice<T extends string> {
  name: T;
  message: string;
  hint?: string;
}

export interface PromptUi {
  readonly columns: number;
  readonly style: Style;
  readonly cancelled: boolean;
  /** Cancelled because nobody pressed a key for `idleMs`. */
  readonly timedOut: boolean;
  /** Writes text as is to the terminal (the preview, results). */
  write(text: string): void;
  input(message: string, options?: { initial?: string; required?: boolean; validate?: (value: string) => true | string }): Promise<string | Cancelled>;
  select<T extends string>(message: string, choices: Array<SelectChoice<T>>, initial?: T): Promise<T | Cancelled>;
  multiselect(message: string, choices: Array<{ name: string; message: string }>, initial: string[]): Promise<string[] | Cancelled>;
  /** Stops treating SIGINT as "cancel" (call before sending, so Ctrl-C can still interrupt a slow send). */
  close(): void;
}

interface EnquirerPrompt {
  run(): Promise<unknown>;
  cancel(): Promise<void>;
}
type PromptClass = new (options: Record<string, unknown>) => EnquirerPrompt;
interface EnquirerModule {
  Input: PromptClass;
  Select: PromptClass;
  MultiSelect: PromptClass;
}

/** The conversation holding the terminal; the next one waits for it to close. */
let turn: Promise<void> = Promise.resolve();

/**
 * Opens a conversation on the terminal, once any other one has closed (two reports at once must not
 * ask over each other). Loads enquirer; call only after `whyNotInteractive` said yes, and always close().
 */
export async function openPromptUi(
  env: NodeJS.ProcessEnv,
  /** Marks the time a person spends answering (the crash handlers' time limit does not count it). */
  whileAnswering: <T>(work: () => Promise<T>) => Promise<T>,
  options: {
    /** Give up when nobody touches a key for this long (0: wait as long as it takes). @default 0 */
    idleMs?: number;
    streams?: TerminalStreams;
  } = {},
): Promise<PromptUi> {
  const streams = options.streams ?? defaultStreams();
  const loaded = (await import("enquirer")) as unknown as { default?: EnquirerModule } & EnquirerModule;
  const previous = turn;
  let release = (): void => {};
  turn = new Promise((resolve) => (release = resolve));
  await whileAnswering(() => previous);
  const enquirer = loaded.default ?? loaded;
  const color = colorEnabled(env);
  const style = createStyle(color);
  let cancelled = false;
  let current: EnquirerPrompt | undefined;
  const onSigint = (): void => {
    cancelled = true;
    void current?.cancel().catch(() => {});
  };
  process.on("SIGINT", onSigint);
  let closed = false;

  // Nobody at the keyboard: after idleMs without a key, every question answers CANCELLED.
  let timedOut = false;
  let idleTimer: NodeJS.Timeout | undefined;
  const idleMs = options.idleMs ?? 0;
  const touch = (): void => {
    if (idleMs <= 0 || closed) return;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      timedOut = true;
      cancelled = true;
      void current?.cancel().catch(() => {});
    }, idleMs);
  };
  // enquirer turns stdin's bytes into "keypress" events; listening to them changes nothing else.
  streams.stdin.on("keypress", touch);
  touch();

  const common = (message: string): Record<string, unknown> => ({
    name: "answer",
    message,
    stdin: streams.stdin,
    stdout: streams.stdout,
    // NO_COLOR: enquirer's colours go off too (it has no NO_COLOR support of its own).
    ...(color ? {} : { styles: { enabled: false } }),
  });

  const ask = async <T>(Prompt: PromptClass, options: Record<string, unknown>): Promise<T | Cancelled> => {
    if (cancelled || closed) return CANCELLED;
    const prompt = new Prompt(options);
    current = prompt;
    touch();
    try {
      return (await whileAnswering(() => prompt.run())) as T;
    } catch {
      cancelled = true;
      return CANCELLED;
    } finally {
      current = undefined;
    }
  };

  return {
    columns: terminalColumns(streams.stdout),
    style,
    get cancelled() {
      return cancelled;
    },
    get timedOut() {
      return timedOut;
    },
    write(text) {
      try {
        streams.stdout.write(text);
      } catch {
        // a closed terminal is not the app's problem
      }
    },
    async input(message, options = {}) {
      const validate = (value: string): true | string => {
        if (options.required === true && value.trim() === "") return "Please type something (Escape cancels).";
        return options.validate ? options.validate(value) : true;
      };
      const answer = await ask<string>(enquirer.Input, { ...common(message), ...(options.initial !== undefined ? { initial: options.initial } : {}), validate });
      return answer === CANCELLED ? answer : String(answer ?? "");
    },
    async select(message, choices, initial) {
      const index = initial === undefined ? 0 : Math.max(0, choices.findIndex((c) => c.name === initial));
      return ask(enquirer.Select, { ...common(message), choices: choices.map((c) => ({ ...c })), initial: index });
    },
    async multiselect(message, choices, initial) {
      const answer = await ask<unknown>(enquirer.MultiSelect, { ...common(message), choices: choices.map((c) => ({ ...c })), initial });
      if (answer === CANCELLED) return answer;
      return Array.isArray(answer) ? answer.map(String) : [];
    },
    close() {
      if (closed) return;
      closed = true;
      clearTimeout(idleTimer);
      streams.stdin.removeListener("keypress", touch);
      process.removeListener("SIGINT", onSigint);
      release();
    },
  };
}
