// Package transfer moves a Dynamic Support Register in and out of the
// spreadsheets areas keep (docs/transfer.md).
//
// Import reads an area's register sheet (ReadXLSX, streamed with
// excelize; ReadCSV) through a Mapping of its columns to the register's
// fields (LoadMapping: the shipped "wiltshire" and "nhse", or the area's
// own JSON, read strictly by DecodeMapping), converts the area's words
// (ParseBool, ParseDate with Excel's 1900 serial dates, ParseRating,
// ParseNHSNumber) and adds everyone to the register in one transaction
// (register.AddAll), or nobody if any row has a problem. Its Report names
// every problem by sheet, row, column and heading, and shows a cell's
// value only for a column that identifies nobody. People with no consent
// for inclusion recorded are listed and not imported (R-CONS-1); people
// already on the register are not added again.
//
// Export writes the register back in the mapping's layout, which Import
// reads again, with the suggested, agreed and of-record ratings and the
// next due date; for sharing, without identifiers and with its counts
// under R-REPORT-1 (package disclosure). NationalReturn writes the month's
// return in the shape of NHS England's Assuring Transformation collection,
// pseudonymised.
//
// Every read of a person goes through the register's audited API
// (register.DetailsAndCases) in the name of an Actor. The package imports
// no policy engine.
package transfer
