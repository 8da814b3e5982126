package register

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// A due-cache row's plaintext is a person's worklist items, in one of two
// encodings named by its first byte: itemsBinary, field by field with
// lengths and varints (decoding a register's worth of JSON was a quarter
// of a cold Due), for items whose instants are in UTC (every engine's are);
// itemsJSON, json.Marshal's, for any other. Either decodes to items equal
// to those encoded (the tests check both on random items).
const (
	itemsBinary = 'b'
	itemsJSON   = 'j'
)

var errItems = errors.New("due-cache items do not decode")

func encodeItems(items []WorkItem) ([]byte, error) {
	for i := range items {
		if at := items[i].DueAt; !at.IsZero() && at.Location() != time.UTC {
			b, err := json.Marshal(items)
			return append([]byte{itemsJSON}, b...), err
		}
	}
	b := []byte{itemsBinary}
	b = binary.AppendUvarint(b, uint64(len(items)))
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	for i := range items {
		it := &items[i]
		str(it.PersonID)
		str(it.ReferralID)
		b = append(b, byte(it.Rating), byte(it.AgreedRating), byte(it.RatingOfRecord))
		str(string(it.Kind))
		b = binary.AppendVarint(b, int64(it.From.Days()))
		b = binary.AppendVarint(b, int64(it.Due.Days()))
		if it.DueAt.IsZero() {
			b = append(b, 0)
		} else {
			b = append(b, 1)
			b = binary.AppendVarint(b, it.DueAt.Unix())
			b = binary.AppendUvarint(b, uint64(it.DueAt.Nanosecond()))
		}
		str(it.Rule)
		str(it.Reason)
		if it.Overdue {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
		if it.Document == nil {
			b = append(b, 0)
		} else {
			b = append(b, 1)
			str(it.Document.Kind)
			str(it.Document.ID)
		}
		str(it.Who)
	}
	return b, nil
}

func decodeItems(b []byte) ([]WorkItem, error) {
	if len(b) == 0 {
		return nil, errItems
	}
	if b[0] == itemsJSON {
		var items []WorkItem
		if err := json.Unmarshal(b[1:], &items); err != nil {
			return nil, errItems
		}
		return items, nil
	}
	if b[0] != itemsBinary {
		return nil, errItems
	}
	p := b[1:]
	bad := false
	uv := func() uint64 {
		v, n := binary.Uvarint(p)
		if n <= 0 {
			bad = true
			return 0
		}
		p = p[n:]
		return v
	}
	sv := func() int64 {
		v, n := binary.Varint(p)
		if n <= 0 {
			bad = true
			return 0
		}
		p = p[n:]
		return v
	}
	by := func() byte {
		if len(p) == 0 {
			bad = true
			return 0
		}
		c := p[0]
		p = p[1:]
		return c
	}
	str := func() string {
		n := uv()
		if bad || n > uint64(len(p)) {
			bad = true
			return ""
		}
		s := string(p[:n])
		p = p[n:]
		return s
	}
	n := uv()
	if bad || n > uint64(len(p)) {
		return nil, errItems
	}
	var items []WorkItem
	if n > 0 {
		items = make([]WorkItem, n)
	}
	for i := range items {
		it := &items[i]
		it.PersonID = str()
		it.ReferralID = str()
		it.Rating, it.AgreedRating, it.RatingOfRecord = dsr.Rating(by()), dsr.Rating(by()), dsr.Rating(by())
		it.Kind = dsr.ActionKind(str())
		it.From = calendar.FromDays(int(sv()))
		it.Due = calendar.FromDays(int(sv()))
		if by() == 1 {
			sec := sv()
			it.DueAt = time.Unix(sec, int64(uv())).UTC()
		}
		it.Rule = str()
		it.Reason = str()
		it.Overdue = by() == 1
		if by() == 1 {
			it.Document = &DocumentRef{Kind: str(), ID: str()}
		}
		it.Who = str()
		if bad {
			return nil, errItems
		}
	}
	if len(p) != 0 {
		return nil, errItems
	}
	return items, nil
}
