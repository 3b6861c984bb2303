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
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
  }
}
