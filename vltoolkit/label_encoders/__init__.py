from .digit_distance import DigitDistanceLabelEncoder
from .distance import DistanceLabelEncoder, distance_label_table
from .distance_stats import distance_label_stats, location_grid
from .one_hot import OneHotLabelEncoder

__all__ = [
    'DigitDistanceLabelEncoder',
    'DistanceLabelEncoder',
    'distance_label_table',
    'distance_label_stats',
    'location_grid',
    'OneHotLabelEncoder',
]
