"""hash: keyed HMAC-SHA256 (16 hex digits), the same for the same value across the run.

Presidio's hash operator salts each value randomly, which breaks joins; a keyed HMAC
keeps them and cannot be reversed by hashing guesses without the key.
"""

from sandlab.anonymizer.operators.base import Operator


class Hash(Operator):
    name = "hash"

    def one(self, value, row: int):
        return self.context.surrogates.hmac_hex(str(value))
