<?php
/**
 * One WordPress request with the Luneo plugin loaded, driven by a JSON scenario on stdin:
 *
 *   {"options": {...}, "products": {"<id>": {"name", "price"}}, "session": <cart from a
 *    previous request, or null>, "steps": [{"do": "add_to_cart", "post": {...}}, {"do":
 *    "totals"}, {"do": "cart"}, {"do": "item_data"}, {"do": "checkout"}, {"do": "product", "id",
 *    "price"}, {"do": "product_page", "id"}, {"do": "recovery_page", "get": {...}}, {"do":
 *    "store_api_add_item", "body": {...}}]}
 *
 * and answers on stdout {"steps": [...], "notices", "http", "session", "transients"}. A later
 * request is a new php process given the "session" and "transients" this one answered, as
 * WooCommerce keeps the cart in its server-side session and WordPress transients in its
 * database between requests.
 *
 * Usage: php tests/php/harness.php <plugin dir> < scenario.json
 */

error_reporting( E_ALL );
set_error_handler(
	static function ( $severity, $message, $file, $line ) {
		if ( error_reporting() & $severity ) { // Not silenced with @ (the HTTP stub's failures).
			throw new ErrorException( $message, 0, $severity, $file, $line );
		}
		return false;
	}
);

require __DIR__ . '/wordpress.php';
require __DIR__ . '/store-api.php';

use Automattic\WooCommerce\StoreApi\Exceptions\RouteException;

$scenario = json_decode( stream_get_contents( STDIN ), true );
$harness  = &$GLOBALS['harness'];
$harness['options']  = $scenario['options'];
$harness['products'] = $scenario['products'];
$harness['cache']    = isset( $scenario['transients'] ) ? $scenario['transients'] : array();

require rtrim( $argv[1], '/' ) . '/luneo-personalizer.php';
do_action( 'plugins_loaded' );

$cart = WC()->cart;
if ( ! empty( $scenario['session'] ) ) {
	$cart->from_session( $scenario['session'] );
}

/**
 * The cart's lines as the totals left them.
 */
function harness_lines( $cart ) {
	$lines = array();
	foreach ( $cart->get_cart() as $key => $item ) {
		$lines[] = array(
			'key'        => $key,
			'product_id' => $item['product_id'],
			'quantity'   => $item['quantity'],
			'price'      => (string) $item['data']->get_price(),
			'line_total' => isset( $item['line_total'] ) ? number_format( $item['line_total'], 2, '.', '' ) : null,
			'luneo'      => isset( $item['luneo'] ) ? $item['luneo'] : null,
		);
	}
	return $lines;
}

/**
 * WC_Form_Handler::add_to_cart_action for a simple or a variable product.
 */
function harness_add_to_cart( $post ) {
	$_POST    = wp_slash_deep( $post ); // WordPress adds magic quotes to the request.
	$_REQUEST = $_POST;
	$product_id   = absint( $post['add-to-cart'] );
	$quantity     = empty( $post['quantity'] ) ? 1 : (int) $post['quantity'];
	$variation_id = empty( $post['variation_id'] ) ? 0 : absint( $post['variation_id'] );
	if ( $variation_id ) {
		$passed = apply_filters( 'woocommerce_add_to_cart_validation', true, $product_id, $quantity, $variation_id, array() );
	} else {
		$passed = apply_filters( 'woocommerce_add_to_cart_validation', true, $product_id, $quantity );
	}
	$key = $passed ? WC()->cart->add_to_cart( $product_id, $quantity, $variation_id ) : false;
	$_POST    = array();
	$_REQUEST = array();
	return array(
		'validated' => (bool) $passed,
		'added'     => $key,
	);
}

/**
 * The request object a Store API route is given (WP_REST_Request's get_param).
 */
class Harness_Rest_Request {
	/**
	 * The JSON body's parameters.
	 *
	 * @var array
	 */
	private $params;

	/**
	 * @param array $params The JSON body.
	 */
	public function __construct( $params ) {
		$this->params = $params;
	}

	/**
	 * @param string $name A parameter's name.
	 */
	public function get_param( $name ) {
		return isset( $this->params[ $name ] ) ? $this->params[ $name ] : null;
	}
}

/**
 * The Store API's POST /wc/store/v1/cart/add-item as WooCommerce runs it: CartAddItem applies the
 * add-to-cart data filter, then StoreApi\Utilities\CartController::add_to_cart applies the cart
 * item data filter (filter_request_data), then the legacy validation filter, whose error notices
 * it turns into a RouteException (woocommerce_rest_add_to_cart_error), then adds the line itself
 * (not through WC_Cart::add_to_cart). AbstractRoute answers a RouteException with its code,
 * message and status, and any other exception as a 500 woocommerce_rest_unknown_server_error.
 */
function harness_store_api_add_item( $body ) {
	$request = new Harness_Rest_Request( $body );
	try {
		$data       = apply_filters(
			'woocommerce_store_api_add_to_cart_data',
			array(
				'id'             => absint( $body['id'] ),
				'quantity'       => isset( $body['quantity'] ) ? (int) $body['quantity'] : 1,
				'variation'      => isset( $body['variation'] ) ? $body['variation'] : array(),
				'cart_item_data' => array(),
			),
			$request
		);
		$product_id = absint( $data['id'] );
		if ( ! wc_get_product( $product_id ) ) {
			throw new RouteException( 'woocommerce_rest_cart_invalid_product', 'This product cannot be added to the cart.', 403 );
		}
		$item_data = (array) apply_filters( 'woocommerce_add_cart_item_data', $data['cart_item_data'], $product_id, 0, $data['quantity'] );
		$passed    = apply_filters( 'woocommerce_add_to_cart_validation', true, $product_id, $data['quantity'], 0, $data['variation'], $item_data );
		if ( ! $passed ) {
			$errors = array_values( array_filter( $GLOBALS['harness']['notices'], static fn( $n ) => 'error' === $n['type'] ) );
			$GLOBALS['harness']['notices'] = array_values( array_filter( $GLOBALS['harness']['notices'], static fn( $n ) => 'error' !== $n['type'] ) );
			$message = $errors ? $errors[0]['message'] : 'This product is not available for purchase.';
			throw new RouteException( 'woocommerce_rest_add_to_cart_error', $message, 400 );
		}
		$key = WC()->cart->add_line( $product_id, $data['quantity'], 0, $data['variation'], $item_data );
		return array( 'status' => 201, 'added' => $key );
	} catch ( RouteException $e ) {
		return array( 'status' => $e->getCode(), 'added' => false, 'code' => $e->getErrorCode(), 'message' => $e->getMessage() );
	} catch ( Exception $e ) {
		return array( 'status' => 500, 'added' => false, 'code' => 'woocommerce_rest_unknown_server_error', 'message' => $e->getMessage() );
	}
}

$results = array();
foreach ( $scenario['steps'] as $step ) {
	switch ( $step['do'] ) {
		case 'add_to_cart':
			$results[] = harness_add_to_cart( $step['post'] );
			break;
		case 'store_api_add_item':
			$results[] = harness_store_api_add_item( $step['body'] );
			break;
		case 'totals':
			$cart->calculate_totals();
			$results[] = array(
				'lines'   => harness_lines( $cart ),
				'did_run' => did_action( 'woocommerce_before_calculate_totals' ),
			);
			break;
		case 'recovery_page': // A request to <home>/?luneo_recover=…: what the plugin answers.
			$_GET  = wp_slash_deep( $step['get'] );
			$token = Luneo_Recovery::token();
			if ( '' === $token ) {
				$results[] = null; // Not the page: WordPress goes on as usual.
				break;
			}
			ob_start();
			Luneo_Recovery::answer( $token );
			$results[] = array(
				'status'  => $harness['status'],
				'nocache' => ! empty( $harness['nocache'] ),
				'html'    => ob_get_clean(),
				'hooked'  => isset( $harness['filters']['template_redirect'] ),
			);
			$_GET = array();
			break;
		case 'order_item_preview': // Under an order line: the thank-you page, My account, e-mails.
			$item = new WC_Order_Item_Product();
			foreach ( $step['meta'] as $key => $value ) {
				$item->add_meta_data( $key, $value, true );
			}
			ob_start();
			Luneo_Cart::order_item_preview( 1, $item, null, ! empty( $step['plain_text'] ) );
			$results[] = ob_get_clean();
			break;
		case 'order_page': // Every line of an order on a page: the thank-you page, My account.
			$harness['page'] = $step['page'];
			$order           = new WC_Order( $step['order']['id'], $step['order']['key'] );
			$shown           = array();
			foreach ( $step['items'] as $item_id => $meta ) {
				$item = new WC_Order_Item_Product();
				foreach ( $meta as $key => $value ) {
					$item->add_meta_data( $key, $value, true );
				}
				ob_start();
				Luneo_Cart::order_item_preview( (int) $item_id, $item, $order, false );
				$shown[ (string) $item_id ] = ob_get_clean();
			}
			$harness['page'] = '';
			$results[]       = $shown;
			break;
		case 'product_page': // Whether the product page shows the Customize button.
			$results[] = Luneo_Api::is_customizable( $step['id'] );
			break;
		case 'cart': // What the cart page and the mini-cart show, without totalling.
			$results[] = array( 'lines' => harness_lines( $cart ) );
			break;
		case 'product':
			$harness['products'][ (string) $step['id'] ]['price'] = $step['price'];
			$results[] = null;
			break;
		case 'item_data':
			$shown = array();
			foreach ( $cart->get_cart() as $key => $item ) {
				$shown[ $key ] = apply_filters( 'woocommerce_get_item_data', array(), $item );
			}
			$results[] = $shown;
			break;
		case 'checkout':
			$lines = array();
			foreach ( $cart->get_cart() as $key => $values ) {
				$item = new WC_Order_Item_Product();
				do_action( 'woocommerce_checkout_create_order_line_item', $item, $key, $values, null );
				$lines[ $key ] = $item->get_meta_data();
			}
			$results[] = array(
				'lines'  => $lines,
				'hidden' => apply_filters( 'woocommerce_hidden_order_itemmeta', array( '_qty', '_tax_class' ) ),
			);
			break;
		default:
			throw new InvalidArgumentException( 'unknown step ' . $step['do'] );
	}
}

echo json_encode(
	array(
		'steps'   => $results,
		'notices' => $harness['notices'],
		'http'    => $harness['http'],
		'session'    => $cart->for_session(),
		'transients' => (object) $harness['cache'],
	),
	JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE
);
