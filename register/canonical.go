package register

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"time"
)

// appendCanonical appends r's canonical JSON (see CanonicalJSON) to b: the
// bytes json.Marshal gives for canonicalRecord, written field by field
// without reflection. Strings that json.Marshal would escape (quotes,
// backslashes, control characters, <, > and &, anything not ASCII) are
// handed to json.Marshal itself, so the output is the same by
// construction; the tests compare the two on random records.
func appendCanonical(b []byte, r *Record) []byte {
	b = append(b, `{"actor_id":`...)
	b = appendJSONString(b, r.ActorID)
	b = append(b, `,"actor_role":`...)
	b = appendJSONString(b, r.ActorRole)
	b = append(b, `,"at":"`...)
	b = r.At.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","payload":"`...)
	b = base64.StdEncoding.AppendEncode(b, r.Payload)
	b = append(b, `","prev":"`...)
	b = base64.StdEncoding.AppendEncode(b, r.Prev)
	b = append(b, `","seq":`...)
	b = strconv.AppendInt(b, r.Seq, 10)
	b = append(b, `,"stream":`...)
	b = appendJSONString(b, r.Stream)
	b = append(b, `,"type":`...)
	b = appendJSONString(b, r.Type)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, r.Version, 10)
	return append(b, '}')
}

// appendJSONString appends s as json.Marshal encodes a string.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
