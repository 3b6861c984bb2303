/** The `audit` command's help text (`logo-fallback audit --help`, `logo-fallback help audit`). */

export const AUDIT_USAGE = `Usage: logo-fallback audit [options] <file | ->

Lists records whose logo file is missing from storage, whose reference is unsafe, whose check
failed, or whose line is malformed; with --orphans, also the files no record references. Reads a
JSON array, NDJSON or CSV (with a header row) from a file, or from stdin with "-". It only reads:
storage and input are never written, and repairs are printed, never run.

Input
  --format <json|ndjson|csv>   default: from the extension (.ndjson, .jsonl, .csv); otherwise, and
                               on stdin, from the first character: "[" JSON, "{" NDJSON, else CSV
  --json-path <a.b>            the records are the array at this property of a JSON object,
                               e.g. --json-path companies for {"companies": [...]}
  --delimiter <char>           CSV: the delimiter (default: a "sep=;" first line, else the one the
                               header row uses most of , ; tab |); "tab" for a tab
  --id-field <name>            the record's id (default: id)
  --name-field <name>          the company's name; repeat or comma-separate to try several
                               (default: company,name — as the resolver)
  --file-field <name>          the file reference (default: icon,logo — as the resolver)
  --allow-empty                an input with no records is a clean audit (exit 0); without it,
                               it is exit 2: a failed export (0 bytes, a header alone) looks the same
Storage (local disk by default)
  --root <dir>                 the media directory, MEDIA_ROOT (default: media)
  --base-url <url>             the URL the app serves media under, MEDIA_URL (default: /media/);
                               stored references under it are checked by their key. With --http
                               it is mapped onto the --http base; with S3, the bucket's public URL
  --http <base-url>            check over HTTP instead: HEAD <base-url><key> (cannot list)
  --header <name: value>       with --http, sent with every check (repeatable), e.g. an Authorization
  --s3-bucket <name>           check an S3-compatible bucket instead (signed requests); credentials
                               from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN)
  --s3-endpoint <url>          e.g. https://s3.eu-west-1.amazonaws.com, http://127.0.0.1:9000
  --s3-region <region>         default: AWS_REGION, else us-east-1
  --s3-path-style              address the bucket as <endpoint>/<bucket>/ (MinIO and most self-hosted)
Checking
  --check <auto|list|head>     list: list the storage once and compare; head: one check per file;
                               auto (default): list when each check is a request (S3) and the
                               input holds more than 5,000 records; one check per file otherwise
  --prefix <key prefix>        list only under this prefix, e.g. base/company/icon/ (default: all)
  --concurrency <n>            checks at once (default: 32)
  --timeout <ms>               per check (default: 10000)
Brakes
  --max-missing <share>        more missing than this share of the checked references (0 to 1, or
                               a percentage; default: 0.5) means the storage looks unmounted or
                               empty: exit 3, and no repair output is written. Judged from 20
                               checked references on; below, only a storage that holds no file at
                               all stops the audit. An empty listing while records reference
                               files does the same.
  --max-faults <n>             this many checks failing in a row (a hung or unreachable storage)
                               stop the audit: exit 3, no repair output (default: 50; 0: never)
Orphans (a storage that can list: local disk, S3)
  --orphans                    also list files no record references, with size and time, and the
                               total bytes
  --min-age <age>              skip files younger than this: a fresh upload whose row is not
                               committed yet is not an orphan (default: 24h; e.g. 30m, 7d, 0)
Repair outputs (written only when the audit ends without a brake)
  --sql-update <table>         print UPDATE <table> SET <file column> = NULL WHERE <id> IN (…)
                               for the rows whose file is missing (schema.table allowed)
  --id-column <name>           with --sql-update: the id column (default: the --id-field)
  --file-column <name>         with --sql-update: the file column (default: the --file-field,
                               when only one is named)
  --dialect <postgres|mysql|sqlite>   how identifiers and values are quoted (default: postgres)
  --sql-out <file>             write the SQL to this file instead of stdout
  --restore-list <file | ->    the missing keys, one per line, for rclone copy --files-from-raw
When a repair output goes to stdout, the report goes to stderr.
Output
  --json                       {"problems": [...], "orphans": [...], "summary": {...}, "brake": null,
                               "error": null}

Exit status: 0 nothing listed, 1 something listed, 2 bad usage, unreadable input or no records
(see --allow-empty), 3 the storage looks unmounted, empty or unreachable (see --max-missing,
--max-faults; no repair output written).`;
