/** The parts of Eleventy 3 and its Handlebars plugin the tests use (neither ships types for these entry points). */
declare module '@11ty/eleventy' {
  interface EleventyOptions {
    quietMode?: boolean;
    configPath?: string;
    config?: (eleventyConfig: any) => void | Promise<void>;
  }
  export default class Eleventy {
    constructor(input: string, output: string, options?: EleventyOptions);
    write(): Promise<unknown>;
    disableLogger(): void;
  }
}
declare module '@11ty/eleventy-plugin-handlebars' {
  const plugin: (eleventyConfig: any, options?: { eleventyLibraryOverride?: unknown }) => void;
  export default plugin;
}
