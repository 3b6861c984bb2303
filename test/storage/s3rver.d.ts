/** The part of s3rver 3 the tests use (it ships no types). */
declare module 's3rver' {
  interface S3rverOptions {
    port?: number;
    address?: string;
    silent?: boolean;
    directory: string;
    resetOnClose?: boolean;
    configureBuckets?: Array<{ name: string; configs?: unknown[] }>;
  }
  /** s3rver is a Koa application. */
  export default class S3rver {
    constructor(options: S3rverOptions);
    /** Koa's middleware list, composed when the server starts. */
    middleware: Array<(ctx: never, next: () => Promise<void>) => Promise<void> | void>;
    /** s3rver's own filesystem store (what its S3 API reads and writes). */
    store: {
      putObject(object: unknown): Promise<{ size: number; md5: string }>;
    };
    run(): Promise<{ address: string; port: number }>;
    /** The node:http server, once `run()` has resolved. */
    httpServer: import('node:http').Server;
    close(): Promise<void>;
  }
}

declare module 's3rver/lib/models/object.js' {
  /** An object as s3rver's store keeps it. */
  export default class S3Object {
    constructor(bucket: string, key: string, content: Buffer, metadata: Record<string, string>);
  }
}
