// Package report renders the register's reports as HTML for the people
// who run the register, with no policy engine of its own (the register's
// Rules assess):
//
//   - the quarterly report to the joint commissioning board (NewBoard,
//     R-REPORT-2): a Board of Tables whose every count is published under
//     R-REPORT-1 through package disclosure, each total the sum of the
//     published cells, with inline SVG charts written here (bars, and a
//     chart of flows between ratings) beside the tables that are their
//     text alternatives;
//   - the register group's meeting pack (NewMeetingPack, R-REPORT-2):
//     exact figures, names only when asked, every read audited;
//   - the C(E)TR summary and the Blue Light minute (ReviewSummaryHTML,
//     MinuteHTML), the content of their Markdown as HTML.
//
// Each comes as a standalone page (no scripts, no external files,
// printable: A4, a page a person in a meeting pack) and as a fragment for
// a host page, which styles it with Stylesheet (or its own rules for the
// dsr- classes). The style is our own in the spirit of the NHS.UK
// frontend, and the pages are checked with axe-core against WCAG 2.2 AA
// in the tests.
package report
