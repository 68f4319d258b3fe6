package yamlpos

import (
	"errors"

	"github.com/goccy/go-yaml"
)

// ErrorAt is where a goccy/go-yaml error points, from the token it
// carries, and its message without the position and the excerpt of the
// file that Error adds. ok is false for an error with no token.
func ErrorAt(err error) (line, col int, msg string, ok bool) {
	var ye yaml.Error
	if !errors.As(err, &ye) || ye.GetToken() == nil {
		return 0, 0, "", false
	}
	p := ye.GetToken().Position
	return p.Line, p.Column, ye.GetMessage(), true
}
