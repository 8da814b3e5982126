package report

import "github.com/dsrkit/dsrkit/disclosure"

// Table is a table of published counts (R-REPORT-1): every cell is a
// disclosure.Count, each row's total and each column's total the
// disclosure.Sum of the published cells, and the grand total the sum of
// the column totals. The exact figures it was made from are not kept.
type Table struct {
	// ID names the table in the page (an HTML id) and in JSON.
	ID    string `json:"id"`
	Title string `json:"title"`
	// Note says what is counted, in plain words.
	Note string `json:"note,omitempty"`
	// RowHeader heads the column of row labels; Columns head the cells.
	RowHeader string   `json:"row_header"`
	Columns   []string `json:"columns"`
	Rows      []Row    `json:"rows"`
	// Totals are the column totals; Total their sum. Both are set only
	// when NoTotals is false.
	Totals   []disclosure.Count `json:"totals,omitempty"`
	Total    disclosure.Count   `json:"total"`
	NoTotals bool               `json:"no_totals,omitempty"`
	// PercentOf, when set, names what each row's Percent is a share of.
	PercentOf string `json:"percent_of,omitempty"`
}

// Row is one row of a Table.
type Row struct {
	Label string             `json:"label"`
	Cells []disclosure.Count `json:"cells"`
	// Total is the sum of the row's published cells (set when the table
	// has more than one column).
	Total disclosure.Count `json:"total"`
	// Percent is the row's share (Table.PercentOf), from published
	// figures: "*" when suppressed.
	Percent string `json:"percent,omitempty"`
}

// newTable publishes the exact counts exact[row][column] under R-REPORT-1.
func newTable(id, title, note, rowHeader string, rows, cols []string, exact [][]int) Table {
	t := Table{ID: id, Title: title, Note: note, RowHeader: rowHeader, Columns: cols}
	for i, label := range rows {
		r := Row{Label: label, Cells: make([]disclosure.Count, len(cols))}
		for j := range cols {
			r.Cells[j] = disclosure.Of(exact[i][j])
		}
		r.Total = disclosure.Sum(r.Cells...)
		t.Rows = append(t.Rows, r)
	}
	t.Totals = make([]disclosure.Count, len(cols))
	for j := range cols {
		col := make([]disclosure.Count, len(t.Rows))
		for i := range t.Rows {
			col[i] = t.Rows[i].Cells[j]
		}
		t.Totals[j] = disclosure.Sum(col...)
	}
	t.Total = disclosure.Sum(t.Totals...)
	return t
}

// rowPercents sets each row's Percent: its total as a share of the
// table's total.
func (t *Table) rowPercents(of string) {
	t.PercentOf = of
	for i := range t.Rows {
		t.Rows[i].Percent = disclosure.Percent(t.Rows[i].Total, t.Total)
	}
}

// multi reports whether rows have a total column (more than one column).
func (t *Table) multi() bool { return len(t.Columns) > 1 }

// matrix is an exact count table being filled: rows by columns.
type matrix [][]int

func newMatrix(rows, cols int) matrix {
	m := make(matrix, rows)
	for i := range m {
		m[i] = make([]int, cols)
	}
	return m
}
