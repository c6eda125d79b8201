/**
 * Test tool: a raw libp2p + gossipsub peer that speaks the PhantomCoin topics and pull protocol
 * but misbehaves on purpose — floods invalid and duplicate announcements, publishes oversized
 * gossip, answers pulls with oversized or mismatching frames. Used by tests/p2p_misbehaving_test.ts
 * to check that a victim's queues stay bounded and the peer is scored down and disconnected.
 * @module
 */
import { createLibp2p } from "libp2p";
import { tcp } from "@libp2p/tcp";
import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { identify } from "@libp2p/identify";
import { type GossipSub, gossipsub, StrictNoSign } from "@libp2p/gossipsub";
import type { Libp2p } from "@libp2p/interface";
import { lpStream } from "@libp2p/utils";
import { multiaddr } from "@multiformats/multiaddr";
import { bytesToHex } from "@noble/hashes/utils.js";
import {
  type AnnouncedId,
  decodePullRequest,
  encodeAnnouncement,
  encodePullResponse,
  type PullItem,
  pullProtocol,
} from "../../src/p2p/mod.ts";

/** How the misbehaving peer answers pull requests. */
export type PullBehaviour =
  | { kind: "oversized"; bytes: number }
  | { kind: "garbage" }
  | { kind: "silent" }
  | { kind: "serve"; bodies: Map<string, Uint8Array> };

/** A deliberately misbehaving peer. */
export class MisbehavingPeer {
  readonly #node: Libp2p<{ pubsub: GossipSub }>;
  #counter = 0;
  /** Pull requests received. */
  pullsServed = 0;

  private constructor(node: Libp2p<{ pubsub: GossipSub }>) {
    this.#node = node;
  }

  /**
   * Starts the peer on 127.0.0.1 with a pull handler of the given behaviour.
   * @param network network name used in topics and the pull protocol
   * @param pull how to answer pull requests
   * @returns the started peer
   */
  static async create(network: string, pull: PullBehaviour): Promise<MisbehavingPeer> {
    let n = 0;
    const node = await createLibp2p({
      addresses: { listen: ["/ip4/127.0.0.1/tcp/0"] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionManager: { inboundConnectionThreshold: 1000 },
      services: {
        identify: identify(),
        pubsub: gossipsub({
          globalSignaturePolicy: StrictNoSign,
          // A fresh id per publish: our own router then sends byte-identical duplicates.
          msgIdFn: () => new TextEncoder().encode(`dup-${n++}`),
          allowPublishToZeroTopicPeers: true,
          ignoreDuplicatePublishError: true,
          floodPublish: true,
          maxOutboundBufferSize: 64 * 1024 * 1024,
        }),
      },
    });
    const peer = new MisbehavingPeer(node);
    await node.handle(pullProtocol(network), async (stream) => {
      peer.pullsServed++;
      try {
        const lp = lpStream(stream);
        const req = (await lp.read()).subarray();
        if (pull.kind === "serve") {
          // Well-formed answers with whatever bodies it was given (e.g. invalid transactions).
          const r = decodePullRequest(req);
          const items = r.type === "get"
            ? r.ids.map((id): PullItem => {
              const body = pull.bodies.get(bytesToHex(id));
              return body === undefined ? { status: "missing" } : { status: "body", body };
            })
            : [];
          await lp.write(encodePullResponse({ type: "get", items }));
        } else if (pull.kind === "oversized") await lp.write(new Uint8Array(pull.bytes));
        else if (pull.kind === "garbage") await lp.write(Uint8Array.of(0x42, 0x42, 0x42));
        else return; // silent: never answers, the victim's deadline must fire
        await stream.close();
      } catch (e) {
        // The victim is expected to hang up mid-frame; that is the point of the test.
        stream.abort(e instanceof Error ? e : new Error(String(e)));
      }
    }, { maxInboundStreams: 256 });
    return peer;
  }

  /** Peer id. */
  get peerId(): string {
    return this.#node.peerId.toString();
  }

  /**
   * Dials a victim.
   * @param addr victim multiaddr
   */
  async dial(addr: string): Promise<void> {
    await this.#node.dial(multiaddr(addr));
  }

  /** Whether a connection to `peer` is open. */
  connectedTo(peer: string): boolean {
    return this.#node.getPeers().some((p) => p.toString() === peer);
  }

  /** Peers subscribed to `topic` as seen by this peer. */
  subscribers(topic: string): string[] {
    return this.#node.services.pubsub.getSubscribers(topic).map((p) => p.toString());
  }

  /**
   * Publishes raw bytes on a topic.
   * @param topic topic
   * @param data bytes
   */
  async publishRaw(topic: string, data: Uint8Array): Promise<void> {
    await this.#node.services.pubsub.publish(topic, data);
  }

  /**
   * Publishes `n` distinct malformed announcements (unknown version byte).
   * @param topic topic
   * @param n how many
   * @returns how many publish calls succeeded
   */
  async floodInvalid(topic: string, n: number): Promise<number> {
    let ok = 0;
    for (let i = 0; i < n; i++) {
      const junk = new Uint8Array(40);
      new DataView(junk.buffer).setUint32(0, 0xdead0000 + this.#counter++);
      try {
        await this.publishRaw(topic, junk);
        ok++;
      } catch {
        // Once the victim hangs up, publishing has nowhere to go; counting successes suffices.
      }
    }
    return ok;
  }

  /**
   * Publishes the same announcement `n` times (byte-identical duplicates on the wire).
   * @param topic topic
   * @param id announced id
   * @param n how many
   */
  async floodDuplicates(topic: string, id: Uint8Array, n: number): Promise<void> {
    const data = encodeAnnouncement([{ id, size: 100 }]);
    for (let i = 0; i < n; i++) await this.publishRaw(topic, data);
  }

  /**
   * Publishes `n` well-formed announcements of distinct ids it will never serve honestly.
   * @param topic topic
   * @param n how many
   */
  async floodAnnouncements(topic: string, n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      const id = new Uint8Array(32);
      new DataView(id.buffer).setUint32(0, this.#counter++);
      await this.publishRaw(topic, encodeAnnouncement([{ id, size: 100 }]));
    }
  }

  /**
   * Publishes one announcement of the given ids (a batch, as honest nodes do).
   * @param topic topic
   * @param items ids with sizes
   */
  async announce(topic: string, items: AnnouncedId[]): Promise<void> {
    await this.publishRaw(topic, encodeAnnouncement(items));
  }

  /** Stops the peer. */
  async stop(): Promise<void> {
    await this.#node.stop();
  }
}
