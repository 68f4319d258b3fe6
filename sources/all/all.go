// Package all registers every source kind: import it for its side effect
// where a program or a test needs them all.
//
//	import _ "github.com/tradewh/tradewh/sources/all"
package all

import (
	_ "github.com/tradewh/tradewh/sources/baci"
	_ "github.com/tradewh/tradewh/sources/census"
	_ "github.com/tradewh/tradewh/sources/comtrade"
	_ "github.com/tradewh/tradewh/sources/measures"
	_ "github.com/tradewh/tradewh/sources/sheet"
	_ "github.com/tradewh/tradewh/sources/usgsmcs"
)
