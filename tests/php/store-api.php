<?php
/**
 * WooCommerce's Store API exception, as its routes throw and answer it: a machine-readable code,
 * the message the shopper reads, the HTTP status (the Exception's code) and extra data.
 * AbstractRoute turns it into {"code", "message", "data": {"status", ...}}.
 */

namespace Automattic\WooCommerce\StoreApi\Exceptions;

/**
 * Stand-in for Automattic\WooCommerce\StoreApi\Exceptions\RouteException (same constructor).
 */
class RouteException extends \Exception {
	/**
	 * @var string
	 */
	public $error_code;

	/**
	 * @var array
	 */
	public $additional_data = array();

	/**
	 * @param string $error_code       Machine-readable code.
	 * @param string $message          What the shopper reads.
	 * @param int    $http_status_code The response's status.
	 * @param array  $additional_data  Extra data for the response.
	 */
	public function __construct( $error_code, $message, $http_status_code = 400, $additional_data = array() ) {
		$this->error_code      = $error_code;
		$this->additional_data = (array) $additional_data;
		parent::__construct( $message, $http_status_code );
	}

	/**
	 * @return string
	 */
	public function getErrorCode() {
		return $this->error_code;
	}

	/**
	 * @return array
	 */
	public function getAdditionalData() {
		return $this->additional_data;
	}
}
