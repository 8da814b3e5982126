package register

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// canonicalReflect is the canonical JSON as json.Marshal gives it for
// canonicalRecord: the definition appendCanonical must match.
func canonicalReflect(r *Record) []byte {
	b, err := json.Marshal(canonicalRecord{
		ActorID: r.ActorID, ActorRole: r.ActorRole,
		At:      r.At.UTC().Format(time.RFC3339Nano),
		Payload: base64.StdEncoding.EncodeToString(r.Payload),
		Prev:    base64.StdEncoding.EncodeToString(r.Prev),
		Seq:     r.Seq, Stream: r.Stream, Type: r.Type, Version: r.Version,
	})
	if err != nil {
		panic(err)
	}
	return b
}

func drawText(t *rapid.T, label string) string {
	return rapid.OneOf(
		rapid.StringMatching(`[a-z0-9/_-]{0,70}`),
		rapid.String(),
		rapid.StringOf(rapid.SampledFrom([]rune{'"', '\\', '<', '>', '&', '\n', '\x00', '\x1f', '\x7f', '\u2028', '\u2029', 'é', '\ufffd', 'a'})),
		rapid.Map(rapid.SliceOf(rapid.Byte()), func(b []byte) string { return string(b) }), // invalid UTF-8 too
	).Draw(t, label)
}

// TestCanonicalJSONIsJSONMarshal is a property: the hand-written canonical
// encoder gives exactly json.Marshal's bytes for any record.
func TestCanonicalJSONIsJSONMarshal(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		zones := []*time.Location{time.UTC, time.FixedZone("x", 3600), time.FixedZone("y", -5*3600-1800)}
		r := Record{
			Seq: rapid.Int64().Draw(t, "seq"), Version: rapid.Int64().Draw(t, "version"),
			Stream: drawText(t, "stream"), Type: drawText(t, "type"), ActorID: drawText(t, "actor_id"), ActorRole: drawText(t, "actor_role"),
			At:      time.Unix(rapid.Int64Range(-62135596800, 253402300799).Draw(t, "sec"), rapid.Int64Range(0, 999999999).Draw(t, "nsec")).In(rapid.SampledFrom(zones).Draw(t, "zone")),
			Payload: rapid.SliceOf(rapid.Byte()).Draw(t, "payload"), Prev: rapid.SliceOf(rapid.Byte()).Draw(t, "prev"),
		}
		if got, want := r.CanonicalJSON(), canonicalReflect(&r); !bytes.Equal(got, want) {
			t.Fatalf("canonical JSON\n got %s\nwant %s", got, want)
		}
	})
}

func benchRecord() Record {
	return Record{Seq: 123456, Stream: "person/" + string(bytes.Repeat([]byte("ab"), 32)), Version: 17, Type: "event",
		At: time.Date(2026, 4, 1, 10, 0, 0, 123456789, time.UTC), ActorID: "staff-17", ActorRole: "coordinator",
		Payload: bytes.Repeat([]byte{7}, 300), Prev: bytes.Repeat([]byte{9}, 32)}
}

// BenchmarkCanonicalJSON compares the hand-written encoder with
// json.Marshal of canonicalRecord (what CanonicalJSON did before), and the
// whole keyed hash of a record.
func BenchmarkCanonicalJSON(b *testing.B) {
	r := benchRecord()
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			canonicalReflect(&r)
		}
	})
	b.Run("appendCanonical", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r.CanonicalJSON()
		}
	})
	k := &keys{chain: bytes.Repeat([]byte{1}, 32)}
	b.Run("RecordHash", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			k.RecordHash(&r)
		}
	})
}

// TestCompareWorkIsTheWorklistOrder is a property: compareWork, comparing
// field by field and stopping at the first difference, orders any two
// items as the order of SortWorklist's documentation (cmp.Or of every
// comparison) does.
func TestCompareWorkIsTheWorklistOrder(t *testing.T) {
	item := func(t *rapid.T, l string) WorkItem {
		w := WorkItem{PersonID: rapid.SampledFrom([]string{"", "a", "b"}).Draw(t, l+"p"), ReferralID: rapid.SampledFrom([]string{"", "r"}).Draw(t, l+"r")}
		w.Overdue = rapid.Bool().Draw(t, l+"o")
		w.Kind = dsr.ActionKind(rapid.SampledFrom([]string{"dsr_review", "community_review"}).Draw(t, l+"k"))
		w.Rule = rapid.SampledFrom([]string{"R-REV-1", "R-RAG-ACT-1"}).Draw(t, l+"rule")
		if rapid.Bool().Draw(t, l+"hasdue") {
			w.Due = calendar.MustParseDate("2026-04-01").AddDays(rapid.IntRange(-2, 2).Draw(t, l+"d"))
		}
		if rapid.Bool().Draw(t, l+"hasat") {
			w.DueAt = time.Date(2026, 4, 1, rapid.IntRange(0, 47).Draw(t, l+"h"), 0, 0, 0, time.UTC)
		}
		return w
	}
	rapid.Check(t, func(t *rapid.T) {
		a, b := item(t, "a"), item(t, "b")
		want := 0
		switch {
		case a.Overdue && !b.Overdue:
			want = -1
		case !a.Overdue && b.Overdue:
			want = 1
		default:
			want = cmp.Or(a.DueDate().Compare(b.DueDate()), a.DueAt.Compare(b.DueAt), strings.Compare(a.PersonID, b.PersonID),
				strings.Compare(a.ReferralID, b.ReferralID), strings.Compare(string(a.Kind), string(b.Kind)), strings.Compare(a.Rule, b.Rule))
		}
		if got := compareWork(a, b); got != want {
			t.Fatalf("compareWork(%+v, %+v) = %d, want %d", a, b, got, want)
		}
	})
}

// TestDueItemsRoundTrip is a property: a person's items, encoded for the
// due cache and decoded, are the items (DeepEqual), in either encoding; a
// truncated row does not decode.
func TestDueItemsRoundTrip(t *testing.T) {
	str := rapid.OneOf(rapid.SampledFrom([]string{"", "p01", "R-REV-1"}), rapid.String())
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 4).Draw(t, "n")
		var items []WorkItem
		if n > 0 || rapid.Bool().Draw(t, "empty, not nil") {
			items = make([]WorkItem, n)
		}
		for i := range items {
			it := &items[i]
			it.PersonID, it.ReferralID, it.Rule, it.Reason, it.Who = str.Draw(t, "p"), str.Draw(t, "r"), str.Draw(t, "rule"), str.Draw(t, "reason"), str.Draw(t, "who")
			it.Kind = dsr.ActionKind(str.Draw(t, "kind"))
			it.Rating, it.AgreedRating = dsr.Rating(rapid.IntRange(0, 4).Draw(t, "rating")), dsr.Rating(rapid.IntRange(0, 4).Draw(t, "agreed"))
			if rapid.Bool().Draw(t, "from") {
				it.From = calendar.MustParseDate("2026-04-01").AddDays(rapid.IntRange(-40000, 40000).Draw(t, "fromd"))
			}
			if rapid.Bool().Draw(t, "due") {
				it.Due = calendar.MustParseDate("2026-04-01").AddDays(rapid.IntRange(-40000, 40000).Draw(t, "dued"))
			}
			if rapid.Bool().Draw(t, "at") {
				it.DueAt = time.Unix(rapid.Int64Range(-1e10, 1e10).Draw(t, "sec"), rapid.Int64Range(0, 999999999).Draw(t, "ns")).UTC()
				if rapid.Bool().Draw(t, "london") {
					it.DueAt = it.DueAt.In(time.FixedZone("BST", 3600))
				}
			}
			it.Overdue = rapid.Bool().Draw(t, "overdue")
			if rapid.Bool().Draw(t, "doc") {
				it.Document = &DocumentRef{Kind: str.Draw(t, "dk"), ID: str.Draw(t, "did")}
			}
		}
		b, err := encodeItems(items)
		if err != nil {
			t.Fatal(err)
		}
		want := items
		if b[0] == itemsJSON { // what JSON gives back is what the cache serves
			if err := json.Unmarshal(b[1:], &want); err != nil {
				t.Fatal(err)
			}
			var fresh []WorkItem
			json.Unmarshal(b[1:], &fresh)
			want = fresh
		}
		got, err := decodeItems(b)
		if err != nil {
			t.Fatalf("decoding %x: %v", b, err)
		}
		if len(got) != len(want) || (len(want) > 0 && !reflect.DeepEqual(got, want)) {
			t.Fatalf("round trip:\n got %#v\nwant %#v", got, want)
		}
		if b[0] == itemsBinary && len(b) > 1 {
			if _, err := decodeItems(b[:len(b)-1]); err == nil && len(items) > 0 {
				t.Fatalf("a truncated row decoded: %x", b)
			}
		}
	})
}
