from .distance import DistanceLabelEncoder, distance_label_table
from .one_hot import OneHotLabelEncoder

__all__ = ['DistanceLabelEncoder', 'distance_label_table', 'OneHotLabelEncoder']
