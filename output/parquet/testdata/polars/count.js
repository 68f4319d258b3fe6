// Prints the number of rows Polars reads from a glob of Parquet files
// (argv[2]), as pl.scan_parquet(glob).select(pl.len()) does. Files of
// different tables have different columns: only rows are counted.
// Exits 3 when nodejs-polars is not installed here.
let pl;
try {
  pl = require("nodejs-polars");
} catch (e) {
  console.error("nodejs-polars is not installed: npm install --prefix output/parquet/testdata/polars (" + e.message.split("\n")[0] + ")");
  process.exit(3);
}
const lf = pl.scanParquet(process.argv[2], { hivePartitioning: false, extraColumns: "ignore", missingColumns: "insert" });
const df = lf.select(pl.len().alias("n")).collectSync();
console.log(String(df.getColumn("n").get(0)));
