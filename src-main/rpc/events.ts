import type { EventName, EventPayload } from '../../src-preload/contract/index.js'

export type EventListener = (event: EventName, payload: unknown) => void

/** Fan-out of contract events from the services to every connected transport. */
export class EventBus {
  readonly #listeners = new Set<EventListener>()

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const listener of this.#listeners) listener(event, payload)
  }

  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }
}
