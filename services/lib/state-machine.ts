// A status table that guards: each domain declares its edges once (from -> the states it may become), its
// store asks the table before every status change and writes only from states the table allows, so a change
// the table does not allow is refused in code and cannot happen in the database either.

/** A status change the domain's table does not allow: a bug in the caller, never retried. */
export class IllegalTransition extends Error {}

export class StateMachine<S extends string> {
  constructor(readonly name: string, private readonly edges: Readonly<Record<S, readonly S[]>>) {}

  get states(): S[] {
    return Object.keys(this.edges) as S[];
  }

  can(from: S, to: S): boolean {
    return this.edges[from].includes(to);
  }

  /** No edge leaves it. */
  isFinal(state: S): boolean {
    return this.edges[state].length === 0;
  }

  /** The states an edge into `to` leaves from: what a guarded UPDATE may find the row in. */
  sourcesOf(to: S): S[] {
    return this.states.filter((from) => this.can(from, to));
  }

  /** Throws IllegalTransition unless every `from` -> `to` is an edge; returns `from` as a list, for the UPDATE's WHERE. */
  check(from: S | readonly S[], to: S): S[] {
    const sources = typeof from === "string" ? [from as S] : [...from];
    const illegal = sources.filter((f) => !this.can(f, to));
    if (illegal.length || sources.length === 0) {
      throw new IllegalTransition(`${this.name}: ${illegal.join(", ") || "(no state)"} -> ${to} is not an allowed change`);
    }
    return sources;
  }
}
