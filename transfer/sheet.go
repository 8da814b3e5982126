package transfer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Table is a sheet as read: its name and its rows, each cell as text (an
// XLSX cell's raw value: a date cell is its Excel serial number).
type Table struct {
	// Name is the XLSX sheet's name, or the CSV file's base name.
	Name string
	Rows []Row
}

// Row is one row of a Table: its number as the spreadsheet shows it (from
// 1) and its cells, column A first.
type Row struct {
	Number int
	Cells  []string
}

// Cell returns the row's cell in column i (from 0), "" past its end.
func (r *Row) Cell(i int) string {
	if i < len(r.Cells) {
		return r.Cells[i]
	}
	return ""
}

// maxRows bounds the rows read from one sheet.
const maxRows = 1_000_000

// ErrFormat is what a file that cannot be read as a sheet matches.
var ErrFormat = errors.New("transfer: not a readable sheet")

// ReadCSV reads a CSV sheet: UTF-8, with or without a byte order mark,
// fields separated by commas or semicolons (whichever the first lines
// hold more of, outside quotes), quoted as RFC 4180 has it. Rows are
// numbered by record, as a spreadsheet shows them.
func ReadCSV(r io.Reader, name string) (*Table, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	head, _ := br.Peek(4096)
	cr := csv.NewReader(br)
	cr.Comma = sniff(head)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	t := &Table{Name: strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))}
	for n := 1; ; n++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s: row %d: %w", ErrFormat, t.Name, n, err)
		}
		if n > maxRows {
			return nil, fmt.Errorf("%w: %s: more than %d rows", ErrFormat, t.Name, maxRows)
		}
		t.Rows = append(t.Rows, Row{Number: n, Cells: rec})
	}
	return t, nil
}

// sniff picks the separator: ';' if the first lines (up to 4 KiB) hold
// more of them than commas outside quotes, else ','.
func sniff(head []byte) rune {
	commas, semis := 0, 0
	quoted := false
	for _, c := range head {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == ',':
			commas++
		case c == ';':
			semis++
		}
	}
	if semis > commas {
		return ';'
	}
	return ','
}

// ReadXLSX reads one sheet of a workbook: the sheet named sheet, or the
// first when sheet is "" (or is not in a workbook of one sheet). Rows are
// streamed, each cell's raw value (a date is its serial number); a merged
// range's value, which the workbook keeps in its top-left cell, is given
// to every cell of the range.
func ReadXLSX(r io.Reader, sheet string) (*Table, error) {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	defer f.Close()
	list := f.GetSheetList()
	if len(list) == 0 {
		return nil, fmt.Errorf("%w: the workbook has no sheets", ErrFormat)
	}
	name := list[0]
	if sheet != "" {
		found := false
		for _, s := range list {
			if strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(sheet)) {
				name, found = s, true
			}
		}
		if !found && len(list) > 1 {
			return nil, fmt.Errorf("%w: no sheet %q: the workbook has %s", ErrFormat, sheet, strings.Join(list, ", "))
		}
	}
	rows, err := f.Rows(name)
	if err != nil {
		return nil, fmt.Errorf("%w: sheet %s: %w", ErrFormat, name, err)
	}
	t := &Table{Name: name}
	for n := 1; rows.Next(); n++ {
		if n > maxRows {
			rows.Close()
			return nil, fmt.Errorf("%w: sheet %s: more than %d rows", ErrFormat, name, maxRows)
		}
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("%w: sheet %s: row %d: %w", ErrFormat, name, n, err)
		}
		t.Rows = append(t.Rows, Row{Number: n, Cells: cells})
	}
	if err := rows.Error(); err != nil {
		rows.Close()
		return nil, fmt.Errorf("%w: sheet %s: %w", ErrFormat, name, err)
	}
	rows.Close()
	merged, err := f.GetMergeCells(name)
	if err != nil {
		return nil, fmt.Errorf("%w: sheet %s: merged cells: %w", ErrFormat, name, err)
	}
	for _, m := range merged {
		c0, r0, err1 := excelize.CellNameToCoordinates(m.GetStartAxis())
		c1, r1, err2 := excelize.CellNameToCoordinates(m.GetEndAxis())
		if err1 != nil || err2 != nil {
			continue
		}
		v := m.GetCellValue()
		for rn := r0; rn <= r1 && rn <= len(t.Rows); rn++ {
			row := &t.Rows[rn-1]
			for len(row.Cells) < c1 {
				row.Cells = append(row.Cells, "")
			}
			for cn := c0; cn <= c1; cn++ {
				row.Cells[cn-1] = v
			}
		}
	}
	return t, nil
}

// ReadFile reads FILE.csv or FILE.xlsx by its extension; sheet is as for
// ReadXLSX.
func ReadFile(r io.Reader, name, sheet string) (*Table, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".txt":
		return ReadCSV(r, name)
	case ".xlsx", ".xlsm":
		return ReadXLSX(r, sheet)
	}
	return nil, fmt.Errorf("%w: %s: want a .xlsx or .csv file", ErrFormat, filepath.Base(name))
}

// columnName is a column's letter as the spreadsheet shows it (A, B, …
// AA), from 0.
func columnName(i int) string {
	s, err := excelize.ColumnNumberToName(i + 1)
	if err != nil {
		return fmt.Sprint(i + 1)
	}
	return s
}
