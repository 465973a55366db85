/**
 * A request-reply subject with its payload and reply types, so a caller cannot send the wrong shape.
 * Declared in `libs/contracts`; the name is the bare subject, the transport adds the deployment prefix.
 */
export interface RpcSubject<Req, Res> {
  readonly name: string;
  /** Phantom fields: carry the types, never set at run time. */
  readonly __request?: Req;
  readonly __reply?: Res;
}

export interface EventSubject<Payload> {
  readonly name: string;
  readonly __payload?: Payload;
}

export function rpc<Req, Res>(name: string): RpcSubject<Req, Res> {
  return { name };
}

export function event<Payload>(name: string): EventSubject<Payload> {
  return { name };
}
