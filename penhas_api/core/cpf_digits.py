"""The CPF's two check digits (Receita Federal's mod-11 rule): the offline check every door shares."""
import re


def cpf_is_valid(digits: str) -> bool:
    """Eleven ASCII digits, not all the same, whose two last digits are the check digits of the first nine."""
    if not re.fullmatch(r"[0-9]{11}", digits) or len(set(digits)) == 1:
        return False
    for size in (9, 10):
        total = sum(int(d) * w for d, w in zip(digits[:size], range(size + 1, 1, -1)))
        check = (total * 10) % 11 % 10
        if check != int(digits[size]):
            return False
    return True
