package sqlstore

// StatsBucketLo are the lower bounds of the buckets of delays.
var StatsBucketLo = statsBucketLo
