"""Ticket numbers: which numbers the hub issues, which it sets aside, and which a kiosk may use alone.

Numbers belong to one line (category) and one service day and restart each day. The hub issues upward
from 1 and sets aside blocks of the same sequence for kiosks to use while it is away, so a number is
never issued twice. A kiosk that has no block for today (the hub was away since before opening) falls
back to its emergency range, fixed by its pairing slot and never issued by the hub:
slot s owns EMERGENCY_START + (s - 1) * EMERGENCY_SIZE + 1 ... + EMERGENCY_SIZE.
"""
from __future__ import annotations

EMERGENCY_START = 5000
EMERGENCY_SIZE = 500
MAX_SLOTS = 9  # slots 1..9: 5001..9500
BLOCK_SIZE = 50  # numbers in one block set aside for a kiosk
REFILL_BELOW = 20  # a kiosk asks for a fresh block when fewer than this remain (while the hub answers)


def format_number(category: str, n: int) -> str:
    """"A015": at least three digits, so numbers read the same length on the board until 999."""
    if n < 1:
        raise ValueError("ticket numbers start at 1")
    return f"{category}{n:03d}"


def emergency_range(slot: int) -> tuple[int, int]:
    """First and last number (inclusive) kiosk slot `slot` may issue with no block from the hub."""
    if not 1 <= slot <= MAX_SLOTS:
        raise ValueError(f"kiosk slot must be 1..{MAX_SLOTS}")
    first = EMERGENCY_START + (slot - 1) * EMERGENCY_SIZE + 1
    return first, first + EMERGENCY_SIZE - 1


def in_emergency_ranges(n: int) -> bool:
    return EMERGENCY_START < n <= EMERGENCY_START + MAX_SLOTS * EMERGENCY_SIZE


def next_hub_number(last: int) -> int:
    """The number after `last` in the hub's own sequence, jumping over every kiosk's emergency range."""
    n = last + 1
    if in_emergency_ranges(n):
        n = EMERGENCY_START + MAX_SLOTS * EMERGENCY_SIZE + 1
    return n


def reserve_block(last: int, size: int = BLOCK_SIZE) -> tuple[int, int, int]:
    """Set aside `size` numbers after `last`: (first, last_of_block, the hub's new last issued number).
    A block never straddles the emergency ranges; it starts after them if it would."""
    first = next_hub_number(last)
    end = first + size - 1
    if first <= EMERGENCY_START < end:
        first = EMERGENCY_START + MAX_SLOTS * EMERGENCY_SIZE + 1
        end = first + size - 1
    return first, end, end
