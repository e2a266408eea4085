/**
 * A render thread: renders messages (Liquid, MIME) off the event loop of its process. It has no
 * database: contents and tracked-link ids come from the main thread on request (see Renderer).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LinkSigner } from '../links/link-signer.js';
import { CompiledContents, type ContentSource } from './compiled-contents.js';
import { renderMessage } from './render-message.js';
import {
  toWire,
  type Ask,
  type FromThread,
  type Rendered,
  type RenderRequest,
  type ThreadInit,
  type ToThread,
} from './render-protocol.js';

const port = parentPort!;
const init = workerData as ThreadInit;
const links = new LinkSigner({ publicUrl: init.publicUrl, jwt: { secret: init.secret } });
const asked = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
let seq = 0;
const post = (msg: FromThread, transfer?: ArrayBuffer[]) => port.postMessage(msg, transfer);

function ask<T>(q: Ask): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const id = ++seq;
    asked.set(id, { resolve: resolve as (v: unknown) => void, reject });
    post({ t: 'ask', id, q });
  });
}

const contents = new CompiledContents({
  load: async (contentId) => {
    const source = await ask<ContentSource>({ what: 'content', contentId });
    return { ...source, attachments: source.attachments.map((a) => ({ ...a, data: Buffer.from(a.data) })) };
  },
  storeLinks: (contentId, urls) => ask({ what: 'links', contentId, urls }),
});

/**
 * Answers wait for the renders already queued behind them, up to ANSWER_BATCH: each message posted
 * wakes the main thread, which then takes a run of answers instead of one. A batch provider's chunk
 * is awaited whole, so this delays nothing there; a message sent on its own waits at most for the
 * renders queued with it (other lanes', other jobs'), a fraction of a millisecond each.
 */
const ANSWER_BATCH = 16;
let queued = 0;
const answers: Rendered[] = [];
const transfer: ArrayBuffer[] = [];

/** Called exactly once per render. */
function answer(a: Rendered, buffer?: ArrayBuffer) {
  answers.push(a);
  if (buffer) transfer.push(buffer);
  if (--queued > 0 && answers.length < ANSWER_BATCH) return;
  const run = answers.splice(0);
  try {
    post({ t: 'rendered', answers: run }, transfer.splice(0));
  } catch (e) {
    // A run that cannot cross (an answer that cannot be cloned): each of its renders fails with why.
    const error = toWire(e);
    post({ t: 'rendered', answers: run.map((r) => ({ id: r.id, error })) });
  }
}

/**
 * Renders one message and answers it; never rejects. Renders run one at a time, in the order they
 * came: started all at once (a chunk arrives together), a hundred MIME builds interleave and keep
 * each other's garbage alive, which cost a fifth more CPU per message (docs/benchmarks.md).
 */
async function renderOne(msg: RenderRequest) {
  let rendered: Rendered;
  let buffer: ArrayBuffer | undefined;
  try {
    const out = await renderMessage(msg.m, msg.mailbox, contents, links);
    const raw = out.raw;
    // A buffer that owns its memory moves to the main thread; a slice of Node's pool is copied.
    if (raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength) buffer = raw.buffer as ArrayBuffer;
    rendered = { id: msg.id, out };
  } catch (e) {
    rendered = { id: msg.id, error: toWire(e) };
  }
  answer(rendered, buffer);
}

let rendering: Promise<void> = Promise.resolve();
port.on('message', (msg: ToThread) => {
  if (msg.t === 'answer') {
    const waiting = asked.get(msg.id);
    asked.delete(msg.id);
    if (msg.error !== undefined) waiting?.reject(new Error(msg.error));
    else waiting?.resolve(msg.value);
    return;
  }
  queued += msg.renders.length;
  for (const r of msg.renders)
    rendering = rendering
      .then(() => renderOne(r))
      .catch((e: unknown) => console.error('render thread: could not answer a render', e));
});
