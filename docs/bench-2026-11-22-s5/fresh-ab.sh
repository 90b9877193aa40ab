#!/bin/bash
# Fresh processes of two batches each, four rounds (fresh-ab.log, fresh-ab3.log).
BATCHES=2 ROUNDS=${ROUNDS:-4} LABEL=round exec bash "$(dirname "$0")/insert-ab.sh"
