package ingest

// DecodeVersions lets the tests outside the package, which load through
// the warehouse, compare the decoding with the view.
var DecodeVersions = decodeVersions
