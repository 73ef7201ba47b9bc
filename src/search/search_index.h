#pragma once
// The full-text index: Xapian, one index document per library document, derived from the
// database (rebuildable with rebuild_index(), kept up to date by the ingest pipeline, reconciled
// with the database at start-up). Chinese is indexed as characters (with positions) and character
// pairs, other scripts as words; Traditional and Simplified fold together (fold.h). Each page's
// first position is recorded, so a hit names the pages it occurs on.
//
// index_reader.h searches it; index_writer.h changes, reconciles and builds it.
#include "search/index_reader.h"
#include "search/index_writer.h"
