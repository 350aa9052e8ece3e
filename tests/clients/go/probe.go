// Drives Mimir through go-sql-driver/mysql (Debian's
// golang-github-go-sql-driver-mysql-dev, built offline with GO111MODULE=off)
// and prints what the driver saw as one JSON object on stdout, for
// tests/integration/test_literals.py.
//
//	probe '<spec>'
//
// spec: {"dsn": "user:pw@tcp(127.0.0.1:port)/mimir?interpolateParams=true",
//
//	"steps": [{"sql": "...", "params": [{"bytes": "Japan"} | {"hex": "ff00"} | {"text": "x"} |
//	                                   {"int": 5}]}]}
//
// With interpolateParams=true the driver does not prepare: it writes each
// parameter into the statement itself, a []byte as _binary'...', and sends
// one COM_QUERY. Every step runs on the same connection and reports either
// {"columns": [{"name", "type"}], "rows": [[...]]} (values as strings, bytes
// that are not UTF-8 as {"hex": "..."}, NULL as null) or {"error": "..."}.
package main

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"unicode/utf8"

	_ "github.com/go-sql-driver/mysql"
)

type param struct {
	Bytes *string `json:"bytes"`
	Hex   *string `json:"hex"`
	Text  *string `json:"text"`
	Int   *int64  `json:"int"`
}

type step struct {
	SQL    string  `json:"sql"`
	Params []param `json:"params"`
}

type spec struct {
	DSN   string `json:"dsn"`
	Steps []step `json:"steps"`
}

type column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

func args(ps []param) []interface{} {
	out := make([]interface{}, 0, len(ps))
	for _, p := range ps {
		switch {
		case p.Bytes != nil:
			out = append(out, []byte(*p.Bytes))
		case p.Hex != nil:
			b, err := hex.DecodeString(*p.Hex)
			if err != nil {
				panic(err)
			}
			out = append(out, b)
		case p.Text != nil:
			out = append(out, *p.Text)
		case p.Int != nil:
			out = append(out, *p.Int)
		default:
			out = append(out, nil)
		}
	}
	return out
}

func run(conn *sql.Conn, s step) map[string]interface{} {
	rows, err := conn.QueryContext(context.Background(), s.SQL, args(s.Params)...)
	if err != nil {
		return map[string]interface{}{"error": err.Error()}
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return map[string]interface{}{"error": err.Error()}
	}
	cols := make([]column, len(types))
	for i, t := range types {
		cols[i] = column{Name: t.Name(), Type: t.DatabaseTypeName()}
	}
	out := [][]interface{}{}
	for rows.Next() {
		raw := make([]sql.RawBytes, len(types))
		ptrs := make([]interface{}, len(types))
		for i := range raw {
			ptrs[i] = &raw[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return map[string]interface{}{"error": err.Error()}
		}
		row := make([]interface{}, len(raw))
		for i, v := range raw {
			if v != nil && utf8.Valid(v) {
				row[i] = string(v)
			} else if v != nil {
				row[i] = map[string]string{"hex": hex.EncodeToString(v)}
			}
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		return map[string]interface{}{"error": err.Error()}
	}
	return map[string]interface{}{"columns": cols, "rows": out}
}

func main() {
	var sp spec
	if err := json.Unmarshal([]byte(os.Args[1]), &sp); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	db, err := sql.Open("mysql", sp.DSN)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer db.Close()
	result := map[string]interface{}{}
	conn, err := db.Conn(context.Background())
	if err != nil {
		result["connect"] = err.Error()
	} else {
		steps := []interface{}{}
		for _, s := range sp.Steps {
			steps = append(steps, run(conn, s))
		}
		result["steps"] = steps
		conn.Close()
	}
	enc := json.NewEncoder(os.Stdout)
	if err := enc.Encode(result); err != nil {
		os.Exit(2)
	}
}
