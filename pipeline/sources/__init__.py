"""pipeline/sources"""
