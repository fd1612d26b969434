// Golden tar headers from Go's archive/tar, written the way containerd's ChangeWriter writes them
// (Format PAX with whole-second mtimes; whiteouts with the format left unset and zero times).
// tar-header.spec.ts checks that our encoder produces the same bytes.
// Regenerate: go run go-tar-headers.go < go-tar-headers.input.json > go-tar-headers.json
package main

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"time"
)

type C struct {
	Name     string            `json:"name"`
	Typeflag string            `json:"typeflag"`
	Mode     int64             `json:"mode"`
	Uid      int               `json:"uid"`
	Gid      int               `json:"gid"`
	Size     int64             `json:"size"`
	Mtime    int64             `json:"mtime"`
	Linkname string            `json:"linkname"`
	Devmajor int64             `json:"devmajor"`
	Devminor int64             `json:"devminor"`
	Pax      map[string]string `json:"pax"`
	Whiteout bool              `json:"whiteout"`
	Hex      string            `json:"hex,omitempty"`
}

func main() {
	var cases []C
	json.NewDecoder(os.Stdin).Decode(&cases)
	for i, c := range cases {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		h := &tar.Header{Name: c.Name, Typeflag: c.Typeflag[0], Mode: c.Mode, Uid: c.Uid, Gid: c.Gid, Size: c.Size,
			ModTime: time.Unix(c.Mtime, 0), Linkname: c.Linkname, Devmajor: c.Devmajor, Devminor: c.Devminor}
		if c.Whiteout {
			t := time.Unix(0, 0).UTC()
			h.ModTime, h.AccessTime, h.ChangeTime = t, t, t
		} else {
			h.Format = tar.FormatPAX
			if len(c.Pax) > 0 {
				h.PAXRecords = c.Pax
			}
		}
		if err := tw.WriteHeader(h); err != nil {
			panic(err)
		}
		if c.Size > 0 && c.Typeflag == "0" {
			tw.Write([]byte(strings.Repeat("x", int(c.Size))))
		}
		tw.Close()
		cases[i].Hex = hexOf(buf.Bytes())
	}
	json.NewEncoder(os.Stdout).Encode(cases)
}

func hexOf(b []byte) string {
	const h = "0123456789abcdef"
	out := make([]byte, len(b)*2)
	for i, c := range b {
		out[i*2] = h[c>>4]
		out[i*2+1] = h[c&15]
	}
	return string(out)
}
